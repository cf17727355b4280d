// End to end: `fedagg demo spam --json` trains over a small loopback federation and prints the documented shape, writes its plot and leaves nothing behind.
import assert from 'node:assert/strict'
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { processesMentioning } from '../node/local/process-scan.ts'
import { runFedagg, stopLeftovers } from '../helpers/local-cli.ts'
import { NO_PYTHON_MESSAGE, pythonWithNumpy } from '../helpers/python.ts'

describe('e2e: fedagg demo spam', function () {
  this.timeout(600_000)
  let tmp: string
  let out: string
  beforeEach(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'fedagg-e2e-demo-'))
    out = await mkdtemp(join(tmpdir(), 'fedagg-e2e-demo-out-'))
  })
  afterEach(async () => {
    await stopLeftovers(tmp)
    await rm(tmp, { recursive: true, force: true })
    await rm(out, { recursive: true, force: true })
  })

  it('--json on a tiny run prints { rounds: [{ round, accuracy, f1, seconds, phases, bytes }], centralized: { accuracy, f1 } } and writes the SVG; one organization trains in Python', async () => {
    const plot = join(out, 'accuracy.svg')
    const python = pythonWithNumpy()
    // Without numpy every organization trains in TypeScript; the Python trainer is then untested here.
    if (python === undefined) console.warn(`no Python trainer: ${NO_PYTHON_MESSAGE}`)
    const mixed = python === undefined ? [] : ['--python-trainers', '1', '--python', python]
    const run = await runFedagg(['demo', 'spam', '--json', '--sample', '60', '--clients', '3', '--rounds', '2', '--epochs', '1', '--plot', plot, ...mixed], tmp)
    assert.equal(run.code, 0, run.stderr)
    const lines = run.stdout.trim().split('\n')
    assert.equal(lines.length, 1, run.stdout)
    const output = JSON.parse(lines[0] as string)
    assert.deepEqual(Object.keys(output).sort(), ['centralized', 'plot', 'rounds'])
    assert.equal(output.plot, plot)
    assert.deepEqual(Object.keys(output.centralized).sort(), ['accuracy', 'f1'])
    assert.deepEqual(output.rounds.map((r: { round: number }) => r.round), [1, 2])
    for (const round of output.rounds) {
      assert.deepEqual(Object.keys(round).sort(), ['accuracy', 'bytes', 'clipped', 'f1', 'phases', 'round', 'seconds'])
      assert.deepEqual(Object.keys(round.phases).sort(), ['aggregate', 'decrypt', 'encrypt', 'train', 'transfer'])
      assert.ok(round.accuracy > 0.5 && round.accuracy <= 1, `accuracy ${round.accuracy}`)
      assert.ok(round.seconds > 0 && round.phases.encrypt > 0 && round.phases.decrypt > 0 && round.phases.aggregate > 0)
      // Three clients each sent one submission of 65,537 packed values: well over 3 × 500 kB.
      assert.ok(round.bytes > 1_500_000, `bytes ${round.bytes}`)
    }
    assert.match(await readFile(plot, 'utf8'), /^<svg [^>]*>[\s\S]*<polyline[\s\S]*<polyline[\s\S]*<\/svg>\n$/)
    assert.deepEqual(await processesMentioning(tmp), [])
    assert.deepEqual(await readdir(tmp), [])
  })

  it('refuses --skew without --split label-skew, and label-skew without --skew', async () => {
    const skewOnly = await runFedagg(['demo', 'spam', '--skew', '0.5'], tmp)
    assert.equal(skewOnly.code, 2)
    assert.match(skewOnly.stderr, /--skew applies to --split label-skew only/)
    const splitOnly = await runFedagg(['demo', 'spam', '--split', 'label-skew'], tmp)
    assert.match(splitOnly.stderr, /--split label-skew needs --skew/)
  })
})
