// End to end: `fedagg local` runs a whole federation as separate processes, prints the right sum, and
// leaves no process or temporary directory behind, also when interrupted with Ctrl-C.
import assert from 'node:assert/strict'
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { processesMentioning } from '../node/local/process-scan.ts'
import { runFedagg, stopLeftovers } from '../helpers/local-cli.ts'

/** The PID of the coordinator's daemon (`start --data-dir …/coordinator`) under `tmp`, once it runs. */
async function coordinatorDaemon (tmp: string): Promise<number> {
  for (;;) {
    for (const pid of await processesMentioning(tmp)) {
      const args = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0')
      if (args.includes('start') && args.some(arg => arg.endsWith('/coordinator'))) return pid
    }
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

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
    let coordinatorPid: Promise<number> | undefined
    const run = await runFedagg(['local', '--clients', '2'], tmp, (stderr, kill) => {
      // The coordinator daemon starts first in the join phase; find it while the others join.
      if (coordinatorPid === undefined && stderr.includes('fedagg local: join...')) coordinatorPid = coordinatorDaemon(tmp)
      // Interrupt once every daemon runs and the round is under way. The coordinator is frozen
      // (SIGSTOP) first: no round can be decrypted until it runs again, so the round cannot finish
      // before SIGINT lands, however slowly this process is scheduled. It is let go right after.
      if (!interrupted && stderr.includes('fedagg local: submit...') && coordinatorPid !== undefined) {
        interrupted = true
        void coordinatorPid.then(async pid => {
          process.kill(pid, 'SIGSTOP')
          runningAtInterrupt = await processesMentioning(tmp)
          kill('SIGINT')
          process.kill(pid, 'SIGCONT')
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
