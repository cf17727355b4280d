// Tests parsing of submitted values: --values lists and --values-file JSON arrays.
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseValueList, readValuesFile } from '../../../../node/cli/commands/submit.ts'

describe('node/cli/commands/submit', () => {
  it('parses comma-separated numbers, with spaces, signs and decimals', () => {
    assert.deepEqual(parseValueList('1,2,3'), [1, 2, 3])
    assert.deepEqual(parseValueList(' -1.5, 0 ,2e3'), [-1.5, 0, 2000])
  })

  it('refuses empty items and anything not a finite number, naming the position', () => {
    for (const [text, position] of [['1,,2', 1], ['1,x', 1], ['Infinity', 0], ['', 0], ['1,2,NaN', 2]] as const) {
      assert.throws(() => parseValueList(text), (err: Error) => {
        assert.equal(err.name, 'InvalidValuesError')
        assert.match(err.message, new RegExp(`position ${position}`))
        return true
      }, text)
    }
  })

  it('reads a JSON array of numbers and refuses anything else', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fedagg-values-'))
    try {
      const file = join(dir, 'v.json')
      await writeFile(file, '[1, 2.5, -3]')
      assert.deepEqual(await readValuesFile(file), [1, 2.5, -3])
      for (const text of ['{"values":[1]}', '[]', '[1,"2"]', '[1,null]', 'not json']) {
        await writeFile(file, text)
        await assert.rejects(readValuesFile(file), { name: 'InvalidValuesError' }, text)
      }
      await assert.rejects(readValuesFile(join(dir, 'missing.json')), { name: 'InvalidValuesError' })
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
