// Spawns fedagg CLI processes, each in its own process group, and guarantees none outlives its owner.
import { spawn } from 'node:child_process'
import type { ChildProcess, StdioOptions } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { FedaggError } from '../../protocol/errors.ts'

/** The CLI entry point the children run, under the same Node binary as this process. */
export const FEDAGG_BIN = fileURLToPath(new URL('../cli/bin.ts', import.meta.url))

/** Last stderr bytes kept per child for error messages: enough for a stack or a config error. */
const STDERR_TAIL_BYTES = 4096

export class ChildProcessFailedError extends FedaggError {
  static override name = 'ChildProcessFailedError'
}

export interface ExitInfo {
  code: number | null
  signal: NodeJS.Signals | null
}

export interface FedaggChild {
  readonly name: string
  readonly process: ChildProcess
  readonly exited: Promise<ExitInfo>
  /** The tail of its stderr, when stderr is piped to us. */
  stderrTail (): string
}

export interface SpawnFedaggOptions {
  /**
   * 'pipe': keep a pipe to the child's stdin open, so a daemon started with
   * --stop-on-stdin-end stops if this process dies, even by SIGKILL.
   * @default 'ignore'
   */
  stdin?: 'pipe' | 'ignore'
  /** 'pipe' to collect it, 'inherit' to show it (progress bars), or a file descriptor. @default 'pipe' */
  stderr?: 'pipe' | 'inherit' | number
  env?: NodeJS.ProcessEnv
}

/**
 * The children of one launcher. Each runs detached, as the leader of its own
 * process group, so a terminal's Ctrl-C reaches only the launcher, which then
 * stops them in order; signals go to the whole group (kill(-pid)), so nothing
 * a child started survives it either.
 */
export class ChildProcesses {
  readonly #children = new Set<FedaggChild>()

  /** Runs `node bin.ts <args>`. */
  spawn (name: string, args: string[], options: SpawnFedaggOptions = {}): FedaggChild {
    const stdio: StdioOptions = [options.stdin ?? 'ignore', 'pipe', options.stderr ?? 'pipe']
    const child = spawn(process.execPath, [FEDAGG_BIN, ...args], { detached: true, stdio, env: options.env ?? process.env })
    let tail = ''
    child.stderr?.on('data', (chunk: Buffer) => { tail = (tail + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES) })
    // An EPIPE on a child's stdin (it exited first) is expected, not a crash of the launcher.
    child.stdin?.on('error', () => {})
    const exited = new Promise<ExitInfo>(resolve => {
      child.once('exit', (code, signal) => { resolve({ code, signal }) })
      child.once('error', () => { resolve({ code: null, signal: null }) })
    })
    const handle: FedaggChild = { name, process: child, exited, stderrTail: () => tail }
    this.#children.add(handle)
    void exited.then(() => { this.#children.delete(handle) })
    return handle
  }

  /** Runs a short command to completion and returns its stdout; a non-zero exit is a ChildProcessFailedError. */
  async run (name: string, args: string[], options: SpawnFedaggOptions & { signal?: AbortSignal } = {}): Promise<string> {
    const child = this.spawn(name, args, options)
    let stdout = ''
    child.process.stdout?.on('data', (chunk: Buffer) => { stdout += chunk.toString('utf8') })
    const onAbort = (): void => { signalGroup(child.process, 'SIGTERM') }
    options.signal?.addEventListener('abort', onAbort, { once: true })
    try {
      const { code, signal } = await child.exited
      options.signal?.throwIfAborted()
      if (code !== 0) {
        throw new ChildProcessFailedError(`${name}: \`fedagg ${args.join(' ')}\` exited with ${code ?? signal}: ${lastLine(child.stderrTail())}`)
      }
      return stdout
    } finally {
      options.signal?.removeEventListener('abort', onAbort)
    }
  }

  /**
   * Stops every child: SIGTERM to each process group, then SIGKILL to the
   * groups still there after `graceMs`. Resolves once all have exited.
   */
  async stopAll (graceMs: number): Promise<void> {
    const children = [...this.#children]
    for (const child of children) signalGroup(child.process, 'SIGTERM')
    const timer = setTimeout(() => { for (const child of children) signalGroup(child.process, 'SIGKILL') }, graceMs)
    try {
      await Promise.all(children.map(async child => child.exited))
    } finally {
      clearTimeout(timer)
    }
  }

  /** Synchronous last resort (process 'exit' handler, second Ctrl-C): SIGKILL every group at once. */
  killAll (): void {
    for (const child of this.#children) signalGroup(child.process, 'SIGKILL')
  }

  get size (): number {
    return this.#children.size
  }
}

function signalGroup (child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return
  try {
    process.kill(-child.pid, signal)
  } catch {
    // ESRCH: the group is already gone.
  }
}

function lastLine (text: string): string {
  const lines = text.trim().split('\n')
  return lines.at(-1) ?? ''
}
