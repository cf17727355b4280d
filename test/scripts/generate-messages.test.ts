// Drift check: regenerating the .proto files must reproduce the committed generated/ output byte for byte.
import assert from 'node:assert/strict'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { adaptToRuntimeCodecTypes, GENERATED_DIR, generateMessages, listProtoFiles } from '../../scripts/generate-messages.ts'

describe('scripts/generate-messages', () => {
  let outDir: string

  before(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'fedagg-generate-test-'))
  })

  after(async () => {
    await rm(outDir, { recursive: true, force: true })
  })

  it('committed generated/ matches a fresh `npm run generate` (run it and commit if this fails)', async function () {
    this.timeout(30_000)
    const files = await generateMessages(outDir)
    const protos = await listProtoFiles()
    assert.deepEqual(files, protos.flatMap(proto => [proto.replace(/\.proto$/, '.d.ts'), proto.replace(/\.proto$/, '.js')]).sort())
    assert.deepEqual((await readdir(GENERATED_DIR)).sort(), files)
    for (const file of files) {
      const fresh = await readFile(join(outDir, file), 'utf8')
      const committed = await readFile(join(GENERATED_DIR, file), 'utf8')
      assert.ok(fresh === committed, `generated/${file} differs from a fresh generation: run npm run generate`)
    }
  })

  it('restates runtime-7 codec types in runtime-8 form', () => {
    const source = 'let _codec: Codec<Roster>\n_codec = message<Roster>((obj, w) => {})\nCodec<A.B>'
    assert.equal(adaptToRuntimeCodecTypes(source), 'let _codec: Codec<Roster, Partial<Roster>>\n_codec = message<Roster, Partial<Roster>>((obj, w) => {})\nCodec<A.B, Partial<A.B>>')
  })
})
