// End to end: `fedagg local` runs a whole federation as separate processes, prints the right sum, and
// leaves no process or temporary directory behind, also when interrupted with Ctrl-C.
import assert from 'node:assert/strict'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { processesMentioning } from '../node/local/process-scan.ts'
import { runFedagg, stopLeftovers } from '../helpers/local-cli.ts'

describe('e2e: fedagg local', function () {
  this.timeout(240_000)
  let tmp: string
  beforeEach(async () => { tmp = await mkdtemp(join(tmpdir(), 'fedagg-e2e-local-')) })
  afterEach(async () => {
    await stopLeftovers(tmp)
    await rm(tmp, { recursive: true, force: true })
  })

  it('--clients 3 --json prints exactly { sum, participants, seconds, bytes } with sum [3, 6]', async () => {
    const run = await runFedagg(['local', '--clients', '3', '--json'], tmp)
    assert.equal(run.code, 0, run.stderr)
    const lines = run.stdout.trim().split('\n')
    assert.equal(lines.length, 1, run.stdout)
    const output = JSON.parse(lines[0] as string)
    assert.deepEqual(Object.keys(output).sort(), ['bytes', 'participants', 'seconds', 'sum'])
    // Client i submits [i, i + 1]: [0 + 1 + 2, 1 + 2 + 3].
    assert.deepEqual(output.sum, [3, 6])
    assert.equal(output.participants, 3)
    assert.ok(output.seconds > 0)
    assert.ok(output.bytes > 0, 'clients sent their ciphertexts')
    assert.deepEqual(await processesMentioning(tmp), [])
    assert.deepEqual(await readdir(tmp), [])
  })

  it('stops every node and removes its files on Ctrl-C', async () => {
    let interrupted = false
    let runningAtInterrupt: number[] = []
    const run = await runFedagg(['local', '--clients', '2'], tmp, (stderr, kill) => {
      // Interrupt once every daemon runs and the round is under way.
      if (!interrupted && stderr.includes('fedagg local: submit...')) {
        interrupted = true
        void processesMentioning(tmp).then(pids => {
          runningAtInterrupt = pids
          kill('SIGINT')
        })
      }
    })
    assert.ok(interrupted, `never reached the submit phase: ${run.stderr}`)
    assert.ok(runningAtInterrupt.length >= 4, `expected the 4 daemons running, found ${runningAtInterrupt.length}`)
    assert.equal(run.code, 1)
    assert.match(run.stderr, /^fedagg: InterruptedError: stopped by SIGINT/m)
    assert.deepEqual(await processesMentioning(tmp), [])
    assert.deepEqual(await readdir(tmp), [])
  })
})
