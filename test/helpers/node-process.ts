// Test helper: runs fedagg nodes as separate OS processes that can be SIGKILLed at named checkpoints and restarted.
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdir, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { FedaggConfig } from '../../config/index.ts'
import { ControlClient } from '../../node/control/client.ts'
import type { ReadyEvent } from '../../node/daemon.ts'
import type { ExitInfo } from '../../node/local/child-processes.ts'
import type { CheckpointName } from '../../node/services/checkpoints.ts'

/** The child entry: a daemon whose node kills itself at the planned checkpoint. */
const ENTRY = fileURLToPath(new URL('./node-process-main.ts', import.meta.url))

/** Written into the node's data dir, so the child's command line names the test's temp dir (leak checks grep for it). */
const CONFIG_FILE = 'test-node-config.json'

/** Last stderr bytes kept per child for failure messages: enough for a stack trace. */
const STDERR_TAIL_BYTES = 8192

/** Crash at the `after`-th time the node reaches checkpoint `at` (1-based). */
export interface CrashPlan {
  at: CheckpointName
  after: number
}

/** What the child prints right before it SIGKILLs itself. */
export interface CrashEvent {
  event: 'crash'
  checkpoint: CheckpointName
  hit: number
}

/** How a child ended: its exit, and the checkpoint it died at if it crashed as planned. */
export interface NodeProcessEnd extends ExitInfo {
  crash: CrashEvent | undefined
}

export interface StartNodeProcessOptions {
  /** For messages only. */
  name: string
  config: FedaggConfig
  crash?: CrashPlan
  /** @default 60_000 (two busy cores load libp2p and the TypeScript sources slowly) */
  readyTimeoutMs?: number
}

/** A free TCP port on loopback; the kernel does not hand it out again soon, so a child can bind it on every restart. */
export async function freeTcpPort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const { port } = server.address() as AddressInfo
  await new Promise<void>(resolve => server.close(() => { resolve() }))
  return port
}

/** One running child. Its data dir, port and so identity survive a restart: start another with the same config. */
export class NodeProcess {
  readonly name: string
  readonly dataDir: string
  readonly child: ChildProcess
  readonly ready: Promise<ReadyEvent>
  /** Resolves once the process is gone, however it ended. */
  readonly ended: Promise<NodeProcessEnd>
  /** When this process was spawned; connections it opened are younger. */
  readonly startedAtMs = Date.now()
  #stderr = ''

  constructor (options: StartNodeProcessOptions, configPath: string) {
    this.name = options.name
    this.dataDir = options.config.dataDir
    const env: NodeJS.ProcessEnv = { ...process.env, FEDAGG_TEST_CRASH_AT: undefined, FEDAGG_TEST_CRASH_AFTER: undefined }
    if (options.crash !== undefined) {
      env.FEDAGG_TEST_CRASH_AT = options.crash.at
      env.FEDAGG_TEST_CRASH_AFTER = String(options.crash.after)
    }
    // Its own process group (detached), so a signal to -pid reaches anything it started; stdin stays
    // piped so the daemon (--stop-on-stdin-end behaviour) stops if this test process dies, even by SIGKILL.
    this.child = spawn(process.execPath, [ENTRY, configPath], { detached: true, stdio: ['pipe', 'pipe', 'pipe'], env })
    this.child.stdin?.on('error', () => {})
    this.child.stderr?.on('data', (chunk: Buffer) => { this.#stderr = (this.#stderr + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES) })
    let crash: CrashEvent | undefined
    let onReady: (event: ReadyEvent) => void = () => {}
    const readyLine = new Promise<ReadyEvent>(resolve => { onReady = resolve })
    createInterface({ input: this.child.stdout! }).on('line', line => {
      const event = parseEvent(line)
      if (event?.event === 'ready') onReady(event as ReadyEvent)
      if (event?.event === 'crash') crash = event as CrashEvent
    })
    const exit = new Promise<ExitInfo>(resolve => {
      // 'close', not 'exit': by then stdout is drained, so a crash line is never missed.
      this.child.once('close', (code, signal) => { resolve({ code, signal }) })
      this.child.once('error', () => { resolve({ code: null, signal: null }) })
    })
    this.ended = exit.then(info => ({ ...info, crash }))
    const timeoutMs = options.readyTimeoutMs ?? 60_000
    this.ready = new Promise<ReadyEvent>((resolve, reject) => {
      const timer = setTimeout(() => { reject(new Error(`${this.name} not ready after ${timeoutMs} ms: ${this.stderrTail()}`)) }, timeoutMs)
      void readyLine.then(event => { clearTimeout(timer); resolve(event) })
      void this.ended.then(end => {
        clearTimeout(timer)
        reject(new Error(`${this.name} exited (${end.code ?? end.signal}) before it was ready: ${this.stderrTail()}`))
      })
    })
    // Rejections after ready are irrelevant; before ready, the caller awaits this promise.
    this.ready.catch(() => {})
  }

  get pid (): number | undefined { return this.child.pid }

  /** Not yet exited or killed. */
  get alive (): boolean { return this.child.exitCode === null && this.child.signalCode === null }

  stderrTail (): string { return this.#stderr.trim() }

  /** A control API client, through the control.json the daemon wrote before its ready line. */
  async control (): Promise<ControlClient> {
    await this.ready
    return ControlClient.fromDataDir(this.dataDir)
  }

  /** Sends `signal` to the child's whole process group; a no-op once it is gone. */
  signal (signal: NodeJS.Signals): void {
    const pid = this.child.pid
    if (pid === undefined || !this.alive) return
    try {
      process.kill(-pid, signal)
    } catch {
      // ESRCH: already gone.
    }
  }

  /** SIGTERM (graceful daemon shutdown), then SIGKILL after `graceMs`; resolves once it is gone. */
  async stop (graceMs = 10_000): Promise<NodeProcessEnd> {
    this.signal('SIGTERM')
    const timer = setTimeout(() => { this.signal('SIGKILL') }, graceMs)
    try {
      return await this.ended
    } finally {
      clearTimeout(timer)
    }
  }
}

/**
 * Every child a test starts. stopAll() in an after hook ends them all, and a
 * process 'exit' hook SIGKILLs any still there if the test run dies first.
 */
export class NodeProcesses {
  readonly #running = new Set<NodeProcess>()
  readonly #killAll = (): void => { for (const node of this.#running) node.signal('SIGKILL') }

  /** Spawns the child and waits for its ready line; a child that fails to start is killed and reported. */
  async start (options: StartNodeProcessOptions): Promise<NodeProcess> {
    const node = await this.spawn(options)
    try {
      await node.ready
    } catch (err) {
      node.signal('SIGKILL')
      await node.ended
      throw err
    }
    return node
  }

  /**
   * Spawns the child without waiting for it: one with a crash plan may die at its
   * checkpoint before its ready line (a client's resend can arrive as soon as it listens).
   */
  async spawn (options: StartNodeProcessOptions): Promise<NodeProcess> {
    await mkdir(options.config.dataDir, { recursive: true, mode: 0o700 })
    const configPath = join(options.config.dataDir, CONFIG_FILE)
    await writeFile(configPath, JSON.stringify(options.config))
    if (this.#running.size === 0) process.on('exit', this.#killAll)
    const node = new NodeProcess(options, configPath)
    this.#running.add(node)
    void node.ended.then(() => {
      this.#running.delete(node)
      if (this.#running.size === 0) process.off('exit', this.#killAll)
    })
    return node
  }

  get size (): number { return this.#running.size }

  async stopAll (graceMs = 10_000): Promise<void> {
    await Promise.all([...this.#running].map(async node => node.stop(graceMs)))
  }
}

function parseEvent (line: string): { event: string } | undefined {
  try {
    const value = JSON.parse(line) as { event?: unknown }
    return typeof value.event === 'string' ? value as { event: string } : undefined
  } catch {
    return undefined
  }
}
