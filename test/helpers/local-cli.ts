// Runs fedagg commands that bring up a local federation (local, demo) as a child process, and cleans up after them.
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { FEDAGG_BIN } from '../../node/local/child-processes.ts'
import { processesMentioning } from '../node/local/process-scan.ts'

export interface Run { code: number | null, stdout: string, stderr: string }

/** Launchers started by runFedagg; one still running after its test (a failure, a timeout) is stopped by afterEach. */
const launchers = new Set<ChildProcess>()
/** How long a leftover launcher gets to stop its daemons on SIGTERM, and its daemons to follow it, before SIGKILL. */
const LEFTOVER_GRACE_MS = 10_000

/**
 * Runs `fedagg <args>` (a command that starts a local federation) with TMPDIR
 * pointing at a fresh directory, so every node's data directory, and so every
 * node's command line, lies under it.
 */
export async function runFedagg (args: string[], tmp: string, onStderr: (text: string, kill: (signal: NodeJS.Signals) => void) => void = () => {}): Promise<Run> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('FEDAGG_')))
  // Not detached: it shares our process group, so a Ctrl-C at the terminal reaches it too.
  const child = spawn(process.execPath, [FEDAGG_BIN, ...args], { env: { ...env, TMPDIR: tmp }, stdio: ['ignore', 'pipe', 'pipe'] })
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
export async function stopLeftovers (tmp: string): Promise<void> {
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
