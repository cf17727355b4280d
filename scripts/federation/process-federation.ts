// A federation of real fedagg daemons, one OS process each, optionally each inside its own network namespace.
//
// Used by the multi-host harness (scripts/netns) and the round benchmark (scripts/bench/round.ts).
// Every node is initialized in-process (no key generation: the coordinator gets a pre-generated
// fixture key), then started as `fedagg start`, admitted by peer ID and joined through the
// coordinator, exactly as an operator would; the harness then drives it through its control API.
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { closeSync, openSync, rmSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { OpenRoundRequest, Role, RoundResultView, RoundView } from '../../node/api.ts'
import { initNode } from '../../node/cli/commands/init.ts'
import { writePaillierKeyFile } from '../../node/keys/paillier-key-file.ts'
import { FEDAGG_BIN } from '../../node/local/child-processes.ts'
import type { ExitInfo, FedaggChild } from '../../node/local/child-processes.ts'
import { pollUntil } from '../../node/local/poll.ts'
import { waitForReady } from '../../node/local/ready-line.ts'
import { FedaggError } from '../../protocol/errors.ts'
import { privateKeyFromJSON } from '../../protocol/paillier/index.ts'
import { RelayControl, harnessControl } from './node-control.ts'
import type { NodeControl } from './node-control.ts'

/** Pre-generated keys (keygen takes minutes in JS); the same ones the test suite uses. */
const FIXTURES = new URL('../../test/fixtures/', import.meta.url)
const RELAY = fileURLToPath(new URL('./control-relay.ts', import.meta.url))
/** Start-up of one daemon is about a second, but a loaded 2-core machine has been seen to need a minute. */
const READY_TIMEOUT_MS = 120_000
/** Roster propagation over gossip. */
const SYNC_TIMEOUT_MS = 60_000
/** SIGTERM-to-SIGKILL grace when stopping (a daemon shuts down in well under a second). */
const STOP_GRACE_MS = 10_000

export type FixtureKeyBits = 2048 | 3072

export interface ProcessNodeSpec {
  name: string
  role: Role
  /** The libp2p listen multiaddr, e.g. /ip4/10.77.0.10/tcp/4001. */
  listen: string
  /** Command prefix the daemon runs under, e.g. `ip netns exec <ns>`; none = this namespace. */
  exec?: string[]
  /** FEDAGG_* settings for this daemon only, e.g. a short settle grace for the coordinator. */
  env?: Record<string, string>
}

export interface ProcessFederationOptions {
  /** Exactly one coordinator and at least one aggregator and client. */
  nodes: ProcessNodeSpec[]
  keyBits: FixtureKeyBits
  /** FEDAGG_* settings for every daemon. */
  env?: Record<string, string>
  /**
   * Start the daemons in this process's session instead of each in a session (and process group)
   * of its own. Linux schedules each session as one "autogroup" with an equal share of the CPU, so
   * with a session each, a client's worker threads filling its noise pool at nice 19 take as much
   * CPU as the coordinator's decryption: thread priorities only order threads within a group. Nodes
   * on separate machines do not compete at all; one group, where the nice values hold across
   * processes, is the nearer likeness of that on one machine. Loopback only: a prefix such as
   * `ip netns exec` keeps its own session.
   * @default false
   */
  sharedSession?: boolean
}

/** A node's control API was asked for before its daemon was ready. */
export class NodeNotStartedError extends FedaggError {
  static override name = 'NodeNotStartedError'
}

export class ProcessNode {
  readonly spec: ProcessNodeSpec
  readonly dataDir: string
  readonly logFile: string
  peerId = ''
  /** The daemon's pid (`ip netns exec` execs it, so the prefix does not change it); 0 until started. */
  pid = 0
  #control: NodeControl | undefined

  constructor (spec: ProcessNodeSpec, root: string) {
    this.spec = spec
    this.dataDir = join(root, spec.name)
    this.logFile = join(root, `${spec.name}.log`)
  }

  get control (): NodeControl {
    if (this.#control === undefined) throw new NodeNotStartedError(`${this.spec.name}: its daemon has not reported ready yet`)
    return this.#control
  }

  set control (control: NodeControl) {
    this.#control = control
  }
}

export class ProcessFederation {
  readonly root: string
  readonly federationId = `p-${randomBytes(4).toString('hex')}`
  readonly nodes: ProcessNode[]
  readonly #options: ProcessFederationOptions
  readonly #processes = new Set<ChildProcess>()
  #stopped = false
  readonly #onExit = (): void => { this.#killAllNow() }

  private constructor (root: string, options: ProcessFederationOptions) {
    this.root = root
    this.#options = options
    this.nodes = options.nodes.map(spec => new ProcessNode(spec, root))
  }

  /**
   * Initializes and starts every node and waits until all hold the final roster. On failure
   * everything started is stopped (and the directory removed) before the error is rethrown.
   */
  static async start (options: ProcessFederationOptions): Promise<ProcessFederation> {
    const roles = options.nodes.map(spec => spec.role)
    if (roles.filter(role => role === 'coordinator').length !== 1 || !roles.includes('aggregator') || !roles.includes('client')) {
      throw new RangeError('nodes: expected one coordinator, and at least one aggregator and one client')
    }
    const federation = new ProcessFederation(await mkdtemp(join(tmpdir(), 'fedagg-procs-')), options)
    process.once('exit', federation.#onExit)
    try {
      await federation.#startAll()
    } catch (err) {
      const logs = await federation.logTails()
      await federation.stop()
      if (err instanceof Error) err.message += logs
      throw err
    }
    return federation
  }

  get coordinator (): ProcessNode { return this.#byRole('coordinator')[0]! }
  get aggregator (): ProcessNode { return this.#byRole('aggregator')[0]! }
  get clients (): ProcessNode[] { return this.#byRole('client') }

  node (name: string): ProcessNode {
    const found = this.nodes.find(node => node.spec.name === name)
    if (found === undefined) throw new RangeError(`no node named ${name}`)
    return found
  }

  /**
   * Opens a round at the coordinator and waits until its aggregator and every eligible client
   * know it, so no submission meets an aggregator that has not seen the announcement yet (it would
   * be refused, fetched and resent: correct, but not what a benchmark means to time).
   */
  async openRound (request: OpenRoundRequest): Promise<RoundView> {
    const round = await this.coordinator.control.openRound(request)
    const parties = this.nodes.filter(node => round.eligible.includes(node.peerId) || node.peerId === round.aggregator)
    await Promise.all(parties.map(async node => {
      await pollUntil(async () => (await node.control.round(round.roundId)).roundId === round.roundId,
        { timeoutMs: SYNC_TIMEOUT_MS, what: `${node.spec.name} to see round ${round.roundId}` })
    }))
    return round
  }

  /** The coordinator's result for `roundId`, waiting up to `waitSeconds`. */
  async result (roundId: string, waitSeconds: number): Promise<RoundResultView> {
    return this.coordinator.control.result(roundId, { waitSeconds })
  }

  /** The last lines of every node's log, to explain a failure. */
  async logTails (lines = 3): Promise<string> {
    const parts: string[] = []
    for (const node of this.nodes) {
      const text = await readFile(node.logFile, 'utf8').catch(() => '')
      const tail = text.trim().split('\n').filter(line => line !== '').slice(-lines)
      if (tail.length > 0) parts.push(`\n  ${node.spec.name}: ${tail.join('\n  ')}`)
    }
    return parts.join('')
  }

  /** Stops every daemon and relay (SIGTERM, SIGKILL after a grace) and removes the data. Idempotent. */
  async stop (): Promise<void> {
    if (this.#stopped) return
    this.#stopped = true
    const running = [...this.#processes]
    const exits = running.map(async child => new Promise<void>(resolve => {
      if (child.exitCode !== null || child.signalCode !== null) resolve()
      else child.once('exit', () => { resolve() })
    }))
    for (const child of running) signalGroup(child, 'SIGTERM')
    const timer = setTimeout(() => { for (const child of running) signalGroup(child, 'SIGKILL') }, STOP_GRACE_MS)
    await Promise.all(exits)
    clearTimeout(timer)
    process.off('exit', this.#onExit)
    await rm(this.root, { recursive: true, force: true })
  }

  #killAllNow (): void {
    for (const child of this.#processes) signalGroup(child, 'SIGKILL')
    rmSync(this.root, { recursive: true, force: true })
  }

  #byRole (role: Role): ProcessNode[] {
    return this.nodes.filter(node => node.spec.role === role)
  }

  async #startAll (): Promise<void> {
    const fixture = JSON.parse(await readFile(new URL(`paillier-${this.#options.keyBits}.json`, FIXTURES), 'utf8')) as Parameters<typeof privateKeyFromJSON>[0]
    // allSettled: a failed init must not leave others still writing while stop() removes the directory.
    await settleAll(this.nodes.map(async node => {
      // init keeps a key already in the data directory instead of generating one.
      if (node.spec.role === 'coordinator') {
        await mkdir(node.dataDir, { recursive: true, mode: 0o700 })
        await writePaillierKeyFile(node.dataDir, privateKeyFromJSON(fixture))
      }
      const result = await initNode({
        dataDir: node.dataDir,
        roles: [node.spec.role],
        federation: this.federationId,
        keyBits: this.#options.keyBits,
        listen: [node.spec.listen],
        name: node.spec.name
      })
      node.peerId = result.peerId
    }))
    const coordinator = this.coordinator
    const [bootstrap] = await this.#startDaemon(coordinator, [])
    if (bootstrap === undefined) throw new RangeError('the coordinator reported no listen address')
    let version = 0
    for (const member of this.nodes.filter(node => node !== coordinator)) {
      version = (await coordinator.control.addMember(member.peerId, [member.spec.role], member.spec.name)).version
    }
    await settleAll(this.nodes.filter(node => node !== coordinator).map(async node => this.#startDaemon(node, ['--join', bootstrap])))
    await Promise.all(this.nodes.map(async node => {
      await pollUntil(async () => (await node.control.status()).rosterVersion >= version,
        { timeoutMs: SYNC_TIMEOUT_MS, what: `${node.spec.name} to reach roster version ${version}` })
    }))
  }

  /** `fedagg start` under the node's prefix, its stderr in its log file; returns its multiaddrs once ready. */
  async #startDaemon (node: ProcessNode, extra: string[]): Promise<string[]> {
    const prefix = node.spec.exec ?? []
    const log = openSync(node.logFile, 'a', 0o600)
    const child = this.#spawn(prefix, [FEDAGG_BIN, 'start', '--data-dir', node.dataDir, '--stop-on-stdin-end', ...extra], ['pipe', 'pipe', log], node.spec.env)
    closeSync(log)
    const exited = new Promise<ExitInfo>(resolve => { child.once('exit', (code, signal) => { resolve({ code, signal }) }) })
    const handle: FedaggChild = { name: node.spec.name, process: child, exited, stderrTail: () => '' }
    const ready = await waitForReady(handle, { timeoutMs: READY_TIMEOUT_MS, logHint: node.logFile })
    node.pid = child.pid ?? 0
    if (prefix.length === 0) {
      node.control = await harnessControl(node.dataDir)
    } else {
      // Its control API listens on the namespace's own loopback: reach it through a relay in there.
      node.control = new RelayControl(this.#spawn(prefix, [RELAY, node.dataDir], ['pipe', 'pipe', 'ignore']))
    }
    return ready.multiaddrs
  }

  /**
   * `[...prefix, node, ...args]` as the leader of its own process group (so signals reach anything
   * it starts) unless sharedSession asks otherwise, with stdin piped: daemons run with --stop-on-stdin-end and the relay ends with its
   * stdin, so neither outlives this process even if it is SIGKILLed.
   */
  #spawn (prefix: string[], args: string[], stdio: ['pipe', 'pipe', 'ignore' | number], env: Record<string, string> = {}): ChildProcess {
    const [file, ...rest] = [...prefix, process.execPath, ...args] as [string, ...string[]]
    const detached = prefix.length > 0 || this.#options.sharedSession !== true
    const child = spawn(file, rest, { detached, stdio, env: { ...daemonEnv(), ...this.#options.env, ...env } })
    if (detached) groupLeaders.add(child)
    child.stdin?.on('error', () => {})
    this.#processes.add(child)
    child.once('exit', () => { this.#processes.delete(child) })
    return child
  }
}

/** Promise.all that waits for every promise to settle before rejecting with the first failure. */
async function settleAll (promises: Array<Promise<unknown>>): Promise<void> {
  const failed = (await Promise.allSettled(promises)).find(outcome => outcome.status === 'rejected')
  if (failed !== undefined) throw failed.reason
}

/** Our environment without FEDAGG_* settings, so a developer's own cannot leak into the harness's nodes. */
function daemonEnv (): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => !entry[0].startsWith('FEDAGG_') && entry[1] !== undefined))
}

/** Children spawned as the leaders of their own process groups. */
const groupLeaders = new WeakSet<ChildProcess>()

/** Signals the child's whole process group when it leads one, else the child alone. */
function signalGroup (child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return
  try {
    if (groupLeaders.has(child)) process.kill(-child.pid, signal)
    else child.kill(signal)
  } catch {}
}
