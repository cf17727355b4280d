// `fedagg local`: a whole federation (coordinator, aggregator, N clients) as separate processes on loopback,
// driven through the operator's own steps (init, members add, start --join, round open, submit, result).
import { randomBytes } from 'node:crypto'
import { closeSync, openSync, rmSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Role, RoundResultView } from '../api.ts'
import { ControlClient } from '../control/client.ts'
import { sumSamples } from '../metrics/prometheus-text.ts'
import { FedaggError } from '../../protocol/errors.ts'
import { ChildProcessFailedError, ChildProcesses } from './child-processes.ts'
import { PollTimeoutError, pollUntil } from './poll.ts'
import { DaemonStartFailedError, waitForReady } from './ready-line.ts'

/**
 * 2048 bits by default, not the product's 3072: a 3072-bit key takes
 * several times longer to generate in JS and the demo's point is the flow;
 * --key-bits 3072 runs it with the production size.
 */
export const LOCAL_DEFAULT_KEY_BITS = 2048
/**
 * Start-up of one daemon (Node, libp2p, store) takes about a second, but a
 * 2-core machine shared with test suites has been seen to need a minute.
 */
const READY_TIMEOUT_MS = 120_000
/** Roster propagation and round announcement over loopback gossip. */
const SYNC_TIMEOUT_MS = 60_000
/** The round's deadline: generous, since all clients encrypt at once on a small machine. */
const ROUND_DEADLINE_SECONDS = 120
/** SIGTERM-to-SIGKILL grace when stopping the children (a daemon shuts down in well under a second). */
const STOP_GRACE_MS = 10_000

export class LocalFederationError extends FedaggError {
  static override name = 'LocalFederationError'
}

export type LocalPhase = 'setup' | 'keygen' | 'join' | 'submit' | 'aggregate+decrypt'

export interface LocalFederationOptions {
  clients: number
  /** @default LOCAL_DEFAULT_KEY_BITS */
  keyBits?: number
  /** Show the coordinator's key generation progress bar (its init's stderr is inherited). @default false */
  showKeygenProgress?: boolean
  /** Called as each phase starts, for the human output. */
  onPhase?: (phase: LocalPhase) => void
  /** Aborting stops every node at once and rejects with the signal's reason. */
  signal?: AbortSignal
  /** Per-request deadline of the nodes' control clients (a submit encrypts a whole vector first). @default DEFAULT_REQUEST_TIMEOUT_MS */
  controlTimeoutMs?: number
}

export interface LocalFederationSummary {
  /** The decrypted sum, element by element (a decimal string where a number would lose precision). */
  sum: Array<number | string>
  participants: number
  /** Wall-clock seconds for the whole run, start to result. */
  seconds: number
  /** Sum of fedagg_bytes_sent_total over every node's /metrics. */
  bytes: number
  phases: Record<LocalPhase, number>
  bytesByNode: Record<string, number>
  roundId: string
}

/** Runs the federation, one `int:32` round of length 2, and returns its summary. */
export async function runLocalFederation (options: LocalFederationOptions): Promise<LocalFederationSummary> {
  return withLocalFederation(options, async federation => federation.run())
}

/**
 * Brings the federation up (init, keygen, join) and hands it to `work`. Every
 * child process is stopped and the temporary directory removed before this
 * settles, whether `work` succeeds, fails or is aborted; if this process exits
 * first (a second Ctrl-C), an exit hook SIGKILLs the children's process groups
 * and removes the directory synchronously.
 */
export async function withLocalFederation<T> (options: LocalFederationOptions, work: (federation: LocalFederation) => Promise<T>): Promise<T> {
  if (!Number.isInteger(options.clients) || options.clients < 2) {
    throw new LocalFederationError(`--clients: expected an integer >= 2 (a sum over one client is its value), got ${options.clients}`)
  }
  const signal = options.signal ?? new AbortController().signal
  signal.throwIfAborted()
  const federation = new LocalFederation(await mkdtemp(join(tmpdir(), 'fedagg-local-')), options, signal)
  const onExit = (): void => { federation.disposeNow() }
  process.once('exit', onExit)
  try {
    return await untilAborted((async () => {
      await federation.bringUp()
      return work(federation)
    })(), signal)
  } catch (err) {
    if (signal.aborted) throw signal.reason
    if (err instanceof DaemonStartFailedError || err instanceof LocalFederationError || err instanceof PollTimeoutError || err instanceof ChildProcessFailedError) {
      throw new LocalFederationError(`${err.message}${await federation.logProblems()}`)
    }
    throw err
  } finally {
    await federation.dispose()
    process.off('exit', onExit)
  }
}

interface LocalNode {
  name: string
  role: Role
  dataDir: string
  logFile: string
  peerId: string
  control?: ControlClient
}

/** A running loopback federation: its nodes' control clients, for programs that drive rounds themselves. */
export class LocalFederation {
  readonly #root: string
  readonly #options: LocalFederationOptions
  readonly #signal: AbortSignal
  readonly #children = new ChildProcesses()
  readonly #federationId = `local-${randomBytes(4).toString('hex')}`
  /**
   * The children's environment: ours without FEDAGG_* settings, so a
   * developer's FEDAGG_LISTEN or FEDAGG_DATA_DIR cannot leak into the demo's nodes.
   * Every node dials from 127.0.0.1, so the per-host inbound connection rate
   * limit (meant for distinct organizations) is raised for the whole federation.
   */
  readonly #env = {
    ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('FEDAGG_'))),
    FEDAGG_LIMITS_INBOUND_CONNECTION_THRESHOLD: '1000'
  }
  readonly #coordinator: LocalNode
  readonly #aggregator: LocalNode
  readonly #clients: LocalNode[]
  readonly #phases: Record<LocalPhase, number> = { setup: 0, keygen: 0, join: 0, submit: 0, 'aggregate+decrypt': 0 }
  #started = 0

  constructor (root: string, options: LocalFederationOptions, signal: AbortSignal) {
    this.#root = root
    this.#options = options
    this.#signal = signal
    this.#coordinator = this.#node('coordinator', 'coordinator')
    this.#aggregator = this.#node('aggregator', 'aggregator')
    this.#clients = Array.from({ length: options.clients }, (_, i) => this.#node(`client-${i}`, 'client'))
  }

  get #nodes (): LocalNode[] {
    return [this.#coordinator, this.#aggregator, ...this.#clients]
  }

  /** The coordinator's control client. */
  get coordinator (): ControlClient {
    return control(this.#coordinator)
  }

  /** The clients' control clients, in order. */
  get clients (): ControlClient[] {
    return this.#clients.map(control)
  }

  /** The clients' data directories, in order (a trainer in another process reads control.json there). */
  get clientDataDirs (): string[] {
    return this.#clients.map(target => target.dataDir)
  }

  /** Every node's name and control client: coordinator, aggregator, then the clients. */
  get nodes (): Array<{ name: string, role: Role, control: ControlClient }> {
    return this.#nodes.map(target => ({ name: target.name, role: target.role, control: control(target) }))
  }

  get signal (): AbortSignal {
    return this.#signal
  }

  /** Creates every node, generates the coordinator's key, starts the daemons and waits until all have the roster. */
  async bringUp (): Promise<void> {
    this.#started = performance.now()
    const members = [this.#aggregator, ...this.#clients]
    await this.#timed('setup', async () => { await Promise.all(members.map(async target => { await this.#init(target) })) })
    await this.#timed('keygen', async () => { await this.#initCoordinator() })
    await this.#timed('join', async () => { await this.#join() })
  }

  /** The `fedagg local` round: client i submits [i, i + 1]. */
  async run (): Promise<LocalFederationSummary> {
    const roundId = await this.#timed('submit', async () => this.#openAndSubmit())
    const result = await this.#timed('aggregate+decrypt', async () =>
      control(this.#coordinator).result(roundId, { waitSeconds: ROUND_DEADLINE_SECONDS, signal: this.#signal }))
    checkResult(result, this.#clients.length)
    const bytesByNode: Record<string, number> = {}
    for (const target of this.#nodes) bytesByNode[target.name] = sumSamples(await control(target).metrics(), 'fedagg_bytes_sent_total')
    return {
      sum: result.sum.map(value => Number.isSafeInteger(Number(value)) ? Number(value) : value),
      participants: result.contributors,
      seconds: round2((performance.now() - this.#started) / 1000),
      bytes: Object.values(bytesByNode).reduce((a, b) => a + b, 0),
      phases: Object.fromEntries(Object.entries(this.#phases).map(([phase, seconds]) => [phase, round2(seconds)])) as Record<LocalPhase, number>,
      bytesByNode,
      roundId
    }
  }

  /** Stops every child gracefully (SIGKILL after a grace period) and removes the directory. */
  async dispose (): Promise<void> {
    await this.#children.stopAll(STOP_GRACE_MS)
    await rm(this.#root, { recursive: true, force: true })
  }

  /** Synchronous variant for the process 'exit' hook. */
  disposeNow (): void {
    this.#children.killAll()
    rmSync(this.#root, { recursive: true, force: true })
  }

  /** The warnings and errors the daemons logged, to explain a failure before the logs are deleted. */
  async logProblems (): Promise<string> {
    const parts: string[] = []
    for (const target of this.#nodes) {
      const text = await readFile(target.logFile, 'utf8').catch(() => '')
      const lines = text.trim().split('\n').filter(line => line !== '')
      // pino warnings and errors (levels 40-60), and the CLI's own one-line error if the daemon died.
      const problems = lines.filter(line => /"level":[456]0\b/.test(line) || line.startsWith('fedagg: ')).slice(-3)
      // No warning at all (e.g. stuck starting): its last line says how far it got.
      const shown = problems.length > 0 ? problems : lines.slice(-1)
      if (shown.length > 0) parts.push(`\n  ${target.name}: ${shown.join('\n  ')}`)
    }
    return parts.join('')
  }

  #node (name: string, role: Role): LocalNode {
    return { name, role, dataDir: join(this.#root, name), logFile: join(this.#root, `${name}.log`), peerId: '' }
  }

  async #timed<T> (phase: LocalPhase, work: () => Promise<T>): Promise<T> {
    this.#options.onPhase?.(phase)
    const t0 = performance.now()
    try {
      return await work()
    } finally {
      this.#phases[phase] = (performance.now() - t0) / 1000
    }
  }

  /**
   * `fedagg init` for one node, on loopback with an ephemeral port. With
   * `visible`, init runs without --json and on our stderr, so its progress bar
   * shows; its peer ID is then the first line of its output.
   */
  async #init (target: LocalNode, extra: string[] = [], visible = false): Promise<void> {
    const args = [
      'init', '--data-dir', target.dataDir, '--role', target.role, '--federation', this.#federationId,
      '--listen', '/ip4/127.0.0.1/tcp/0', '--name', target.name, ...extra, ...(visible ? [] : ['--json'])
    ]
    const out = await this.#children.run(`init ${target.name}`, args, { env: this.#env, signal: this.#signal, ...(visible ? { stderr: 'inherit' } : {}) })
    target.peerId = visible ? out.split('\n')[0] ?? '' : (JSON.parse(out) as { peerId: string }).peerId
  }

  async #initCoordinator (): Promise<void> {
    const keyBits = this.#options.keyBits ?? LOCAL_DEFAULT_KEY_BITS
    await this.#init(this.#coordinator, ['--key-bits', String(keyBits)], this.#options.showKeygenProgress === true)
  }

  /** Starts the coordinator, admits every other peer ID, starts the others with --join, waits for the roster. */
  async #join (): Promise<void> {
    const [bootstrap] = await this.#start(this.#coordinator, [])
    if (bootstrap === undefined) throw new LocalFederationError('the coordinator reported no listen address')
    let version = 0
    for (const member of [this.#aggregator, ...this.#clients]) {
      version = (await control(this.#coordinator).addMember(member.peerId, [member.role], member.name)).version
    }
    await Promise.all([this.#aggregator, ...this.#clients].map(async target => this.#start(target, ['--join', bootstrap])))
    await Promise.all(this.#nodes.map(async target => {
      await pollUntil(async () => (await control(target).status()).rosterVersion >= version,
        { timeoutMs: SYNC_TIMEOUT_MS, signal: this.#signal, what: `${target.name} to reach roster version ${version}` })
    }))
  }

  /** Opens an int:32 round of length 2 with quorum N; client i submits [i, i + 1] once it sees the round. */
  async #openAndSubmit (): Promise<string> {
    const round = await control(this.#coordinator).openRound({
      length: 2, encoding: 'int:32', minParticipants: this.#clients.length, deadlineSeconds: ROUND_DEADLINE_SECONDS
    })
    await Promise.all(this.#clients.map(async (target, i) => {
      await pollUntil(async () => (await control(target).round(round.roundId)).roundId === round.roundId,
        { timeoutMs: SYNC_TIMEOUT_MS, signal: this.#signal, what: `${target.name} to see round ${round.roundId}` })
      await control(target).submit([i, i + 1], { roundId: round.roundId })
    }))
    return round.roundId
  }

  /** `fedagg start` in the background, its log in a file, until its ready line. Returns its multiaddrs. */
  async #start (target: LocalNode, extra: string[]): Promise<string[]> {
    const log = openSync(target.logFile, 'a', 0o600)
    const child = this.#children.spawn(`daemon ${target.name}`, ['start', '--data-dir', target.dataDir, '--stop-on-stdin-end', ...extra], { stdin: 'pipe', stderr: log, env: this.#env })
    closeSync(log)
    const ready = await waitForReady(child, { timeoutMs: READY_TIMEOUT_MS, signal: this.#signal, logHint: target.logFile })
    target.control = await ControlClient.fromDataDir(target.dataDir, this.#options.controlTimeoutMs === undefined ? {} : { requestTimeoutMs: this.#options.controlTimeoutMs })
    return ready.multiaddrs
  }
}

function control (target: LocalNode): ControlClient {
  if (target.control === undefined) throw new LocalFederationError(`${target.name} has no running daemon`)
  return target.control
}

/** Client i submitted [i, i + 1], so the sum must be [Σ i, Σ (i + 1)] = [N(N-1)/2, N(N+1)/2]. */
function checkResult (result: RoundResultView, clients: number): void {
  if (result.status !== 'decrypted') {
    throw new LocalFederationError(`round ${result.roundId} ended ${result.status}${result.reason === undefined ? '' : `: ${result.reason}`}`)
  }
  const expected = [clients * (clients - 1) / 2, clients * (clients + 1) / 2].map(String)
  if (result.sum.join(',') !== expected.join(',') || result.contributors !== clients) {
    throw new LocalFederationError(`expected the sum [${expected.join(', ')}] over ${clients} clients, got [${result.sum.join(', ')}] over ${result.contributors}`)
  }
}

/**
 * Settles with `work`, or rejects as soon as `signal` aborts: an interrupted
 * run must not wait for a submit or a long-poll in flight before cleaning up.
 */
async function untilAborted<T> (work: Promise<T>, signal: AbortSignal): Promise<T> {
  // The abandoned promise rejects once its daemons are gone; that rejection is expected.
  work.catch(() => {})
  return Promise.race([work, new Promise<never>((_resolve, reject) => {
    signal.addEventListener('abort', () => { reject(signal.reason) }, { once: true })
  })])
}

function round2 (value: number): number {
  return Math.round(value * 100) / 100
}
