// End to end: `fedagg local` runs a whole federation as separate processes, prints the right sum, and
// leaves no process or temporary directory behind, also when interrupted with Ctrl-C.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FEDAGG_BIN } from '../../node/local/child-processes.ts'
import { processesMentioning } from '../node/local/process-scan.ts'

interface Run { code: number | null, stdout: string, stderr: string }

/** Launchers started by runLocal; one still running after its test (a failure, a timeout) is stopped by afterEach. */
const launchers = new Set<ChildProcess>()
/** How long a leftover launcher gets to stop its daemons on SIGTERM, and its daemons to follow it, before SIGKILL. */
const LEFTOVER_GRACE_MS = 10_000

/**
 * Runs `fedagg local` with TMPDIR pointing at a fresh directory, so every node's
 * data directory, and so every node's command line, lies under it.
 */
function runLocal (args: string[], tmp: string, onStderr: (text: string, kill: (signal: NodeJS.Signals) => void) => void = () => {}): Promise<Run> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('FEDAGG_')))
  // Not detached: it shares our process group, so a Ctrl-C at the terminal reaches it too.
  const child = spawn(process.execPath, [FEDAGG_BIN, 'local', ...args], { env: { ...env, TMPDIR: tmp }, stdio: ['ignore', 'pipe', 'pipe'] })
  launchers.add(child)
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
    onStderr(stderr, signal => child.kill(signal))
  })
  return new Promise(resolve => child.once('exit', code => { resolve({ code, stdout, stderr }) }))
}

/**
 * Stops what a test left running under `tmp`: the launcher gets SIGTERM (it then stops its daemons
 * and removes their files), and SIGKILL after the grace period. Its daemons run with
 * --stop-on-stdin-end, so they follow it even then; any still there after another grace period get
 * SIGKILL sent to their process group (each daemon leads its own).
 */
async function stopLeftovers (tmp: string): Promise<void> {
  for (const child of launchers) {
    if (child.exitCode !== null || child.signalCode !== null) continue
    const exited = once(child, 'exit')
    child.kill('SIGTERM')
    const timer = setTimeout(() => { child.kill('SIGKILL') }, LEFTOVER_GRACE_MS)
    await exited
    clearTimeout(timer)
  }
  launchers.clear()
  const started = Date.now()
  let daemons = await processesMentioning(tmp)
  while (daemons.length > 0 && Date.now() - started < LEFTOVER_GRACE_MS) {
    await new Promise(resolve => setTimeout(resolve, 100))
    daemons = await processesMentioning(tmp)
  }
  for (const pid of daemons) {
    try {
      process.kill(-pid, 'SIGKILL')
    } catch {
      // ESRCH: gone since, or not a group leader; then the process alone.
      try { process.kill(pid, 'SIGKILL') } catch {}
    }
  }
}

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
    const run = await runLocal(['--clients', '3', '--json'], tmp)
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
    const run = await runLocal(['--clients', '2'], tmp, (stderr, kill) => {
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
