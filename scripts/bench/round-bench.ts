// Measures whole rounds end to end, every node its own process: fedagg itself, and the plaintext and naive baselines.
import { execFile, spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { PrivateKey, PublicKey } from 'paillier-bigint'
import type { RoundPhase } from '../../node/metrics/metrics.ts'
import { sumSamples } from '../../node/metrics/prometheus-text.ts'
import { modInverse, privateKeyFromJSON } from '../../protocol/paillier/index.ts'
import { ProcessFederation } from '../federation/process-federation.ts'
import type { FixtureKeyBits, ProcessNode } from '../federation/process-federation.ts'

/** The benchmark's values: floats in [−1, 1], 16 fraction bits, as a model update would be sent. */
export const BENCH_ENCODING = { encoding: 'fixed:16', clip: 1 } as const
/** A round must never end at its deadline here: the benchmark waits for every client. */
const ROUND_DEADLINE_SECONDS = 3_600
/** RSS sampling period, for kernels where the peak counter cannot be reset between rounds. */
const RSS_SAMPLE_MS = 50
const PLAINTEXT_NODE = fileURLToPath(new URL('./plaintext-node.ts', import.meta.url))
const FIXTURES = new URL('../../test/fixtures/', import.meta.url)
const PHASES: readonly RoundPhase[] = ['encrypt', 'transfer', 'aggregate', 'decrypt']
/**
 * Vectors travel to each client's daemon as JSON through the control API, whose bodies are capped
 * at 4 MiB: about 9 bytes per value with 6 decimals fits 400,000 values. Longer vectors get values
 * in {−1, 0, 1} (3 bytes each); encryption costs the same whatever the values.
 */
const MAX_DECIMAL_VALUES = 300_000

export interface RoundFigures {
  /** Warm round only: seconds waited after the announcement for the clients' noise pools to fill (not in wallSeconds). */
  poolWaitSeconds?: number
  /** Warm round only: the fewest randomizers any client or the aggregator had ready when the submits started, and how many each needed. */
  poolReady?: { fewest: number, needed: number }
  /** Open to decrypted result at the coordinator. */
  wallSeconds: number
  /** Open until every client's submit returned its receipt. */
  submitSeconds: number
  /**
   * Per phase, as the round experiences it: encrypt and transfer are the slowest client's (clients
   * work in parallel), aggregate is the aggregator's total (checks, store, fold, and the close's
   * re-randomization), decrypt the coordinator's.
   */
  phases: Record<RoundPhase, number>
  /** Payload bytes the clients sent on the submit protocol (ciphertexts), per value submitted. */
  bytesPerValue: number
  /**
   * Bytes the aggregator's TCP sockets received from the open until every submit returned, per
   * value submitted: the ciphertexts with all their framing (protobuf, yamux, Noise) and whatever
   * else reached it meanwhile (gossip), without TCP/IP headers. Null without `ss`.
   */
  wireBytesPerValue: number | null
  /** The aggregator's peak resident set during this round. */
  aggregatorPeakRssMB: number
}

export interface FedaggBenchOptions {
  keyBits: FixtureKeyBits
  clients: number
  params: number
  /** Rounds run one after the other in the same federation (first = cold processes). @default 2 */
  rounds?: number
  /**
   * Then one more round with a warm noise pool: after the announcement the benchmark waits, as a
   * training client would, until every client's precomputed randomizers (fedagg_client_noise_pool_entries)
   * cover its ciphertexts or this many seconds pass, and times the round from the first submit.
   * Absent: no warm round.
   */
  warmWaitSeconds?: number
  /** Called with a line of progress. */
  note?: (text: string) => void
}

/**
 * Starts a federation of separate processes on loopback (coordinator, aggregator, `clients`
 * clients) and runs `rounds` rounds of `params` random floats per client, measuring each.
 */
export interface FedaggBenchResult {
  rounds: RoundFigures[]
  /** The warm-pool round, when asked for. */
  warm?: RoundFigures
}

export async function measureFedaggRounds (options: FedaggBenchOptions): Promise<FedaggBenchResult> {
  const note = options.note ?? (() => {})
  const federation = await ProcessFederation.start({
    keyBits: options.keyBits,
    nodes: [
      { name: 'coordinator', role: 'coordinator', listen: '/ip4/127.0.0.1/tcp/0' },
      { name: 'aggregator', role: 'aggregator', listen: '/ip4/127.0.0.1/tcp/0' },
      ...Array.from({ length: options.clients }, (_, i) => ({ name: `client-${i}`, role: 'client' as const, listen: '/ip4/127.0.0.1/tcp/0' }))
    ],
    env: {
      // Every node dials from 127.0.0.1: the per-host rate limit would count them as one host.
      FEDAGG_LIMITS_INBOUND_CONNECTION_THRESHOLD: '1000'
    },
    // So the clients' background noise at nice 19 yields to the event loops a round waits on, as
    // it would on machines of their own (see ProcessFederationOptions.sharedSession).
    sharedSession: true
  })
  try {
    const figures: RoundFigures[] = []
    for (let round = 0; round < (options.rounds ?? 2); round++) {
      figures.push(await measureRound(federation, options))
      note(`  ${options.keyBits} bits, ${options.clients} x ${options.params}, round ${round + 1}: ${figures.at(-1)!.wallSeconds} s`)
    }
    if (options.warmWaitSeconds === undefined) return { rounds: figures }
    // The ciphertexts per client, from what the last round sent: 2k bits each.
    const needed = Math.round(figures.at(-1)!.bytesPerValue * options.params / (options.keyBits / 4))
    const warm = await measureRound(federation, options, { needed, timeoutSeconds: options.warmWaitSeconds })
    note(`  ${options.keyBits} bits, ${options.clients} x ${options.params}, warm pool round: ${warm.wallSeconds} s after ${warm.poolWaitSeconds} s of filling`)
    return { rounds: figures, warm }
  } finally {
    await federation.stop()
  }
}

/** How a warm round waits for the clients' noise pools before its submits start. */
interface PoolWait {
  needed: number
  timeoutSeconds: number
}

async function measureRound (federation: ProcessFederation, options: FedaggBenchOptions, poolWait?: PoolWait): Promise<RoundFigures> {
  const { clients, params } = options
  const scale = params <= MAX_DECIMAL_VALUES ? 1e6 : 1
  const vectors = Array.from({ length: clients }, () => Array.from({ length: params }, () => Math.round((Math.random() * 2 - 1) * scale) / scale))
  const before = await Promise.all(federation.nodes.map(async node => node.control.metrics()))
  const wireBefore = await socketBytesReceived(federation.aggregator.pid)
  const rss = new PeakRss(federation.aggregator.pid)
  const opened = performance.now()
  const round = await federation.openRound({
    length: params, ...BENCH_ENCODING, minParticipants: Math.min(3, clients), maxParticipants: Math.max(16, clients), deadlineSeconds: ROUND_DEADLINE_SECONDS
  })
  const pool = poolWait === undefined ? undefined : await waitForNoise(federation, poolWait)
  const started = pool === undefined ? opened : performance.now()
  await Promise.all(federation.clients.map(async (client, i) => client.control.submit(vectors[i]!, { roundId: round.roundId })))
  const submitted = performance.now()
  // Read before the result: the coordinator then publishes the decrypted sum (about 14 bytes per value) by gossip, which reaches the aggregator too.
  const wireAfter = await socketBytesReceived(federation.aggregator.pid)
  const result = await federation.result(round.roundId, ROUND_DEADLINE_SECONDS)
  const ended = performance.now()
  const peakRss = rss.stop()
  if (result.status !== 'decrypted' || result.contributors !== clients) {
    throw new Error(`round ${round.roundId} ended ${result.status} with ${result.contributors} contributors${result.reason === undefined ? '' : `: ${result.reason}`}`)
  }
  checkSum(result.sum, vectors)
  const after = await Promise.all(federation.nodes.map(async node => node.control.metrics()))
  const delta = (node: ProcessNode, read: (text: string) => number): number => {
    const i = federation.nodes.indexOf(node)
    return read(after[i]!) - read(before[i]!)
  }
  const slowestClient = (phase: RoundPhase): number => Math.max(...federation.clients.map(client => delta(client, text => phaseSum(text, phase))))
  const submitBytes = federation.clients.reduce((sum, client) => sum + delta(client, text => labelledSample(text, 'fedagg_bytes_sent_total', 'protocol', 'submit')), 0)
  const phases = Object.fromEntries(PHASES.map(phase => [phase, round3(
    phase === 'encrypt' || phase === 'transfer'
      ? slowestClient(phase)
      : delta(phase === 'aggregate' ? federation.aggregator : federation.coordinator, text => phaseSum(text, phase))
  )])) as Record<RoundPhase, number>
  return {
    ...(pool === undefined ? {} : { poolWaitSeconds: round3((started - opened) / 1000), poolReady: { fewest: pool, needed: poolWait!.needed } }),
    wallSeconds: round3((ended - started) / 1000),
    submitSeconds: round3((submitted - started) / 1000),
    phases,
    bytesPerValue: round3(submitBytes / (clients * params)),
    wireBytesPerValue: wireBefore === null || wireAfter === null ? null : round3(bytesBetween(wireBefore, wireAfter) / (clients * params)),
    aggregatorPeakRssMB: Math.round(peakRss / 1024 * 10) / 10
  }
}

/** Polls the clients' and the aggregator's noise-pool gauges until each holds `needed` or the time is up; returns the fewest ready. */
async function waitForNoise (federation: ProcessFederation, wait: PoolWait): Promise<number> {
  const deadline = Date.now() + wait.timeoutSeconds * 1000
  for (;;) {
    // The clients' randomizers for their ciphertexts, and the aggregator's for re-randomizing the aggregate.
    const ready = await Promise.all([
      ...federation.clients.map(async client => sumSamples(await client.control.metrics(), 'fedagg_client_noise_pool_entries')),
      sumSamples(await federation.aggregator.control.metrics(), 'fedagg_aggregator_noise_pool_entries')
    ])
    const fewest = Math.min(...ready)
    if (fewest >= wait.needed || Date.now() >= deadline) return fewest
    await new Promise(resolve => setTimeout(resolve, 500))
  }
}

/**
 * The decrypted sum must be the sum of what was sent, to within the fixed-point quantization:
 * each client's value is rounded to a multiple of 2^−16, so the sum is off by at most clients·2^−17.
 */
function checkSum (sum: string[], vectors: number[][]): void {
  const tolerance = vectors.length * 2 ** -16
  for (const i of [0, Math.floor(sum.length / 2), sum.length - 1]) {
    const expected = vectors.reduce((total, vector) => total + vector[i]!, 0)
    if (!(Math.abs(Number(sum[i]) - expected) <= tolerance)) throw new Error(`sum[${i}]: expected ${expected}, got ${sum[i]}`)
  }
}

/** The _sum of fedagg_round_phase_seconds for `phase`. */
function phaseSum (exposition: string, phase: RoundPhase): number {
  return labelledSample(exposition, 'fedagg_round_phase_seconds_sum', 'phase', phase)
}

/** The value of `metric{…label="value"…}`, 0 when absent. */
function labelledSample (exposition: string, metric: string, label: string, value: string): number {
  for (const line of exposition.split('\n')) {
    if (line.startsWith(metric + '{') && line.includes(`${label}="${value}"`)) return Number(line.slice(line.lastIndexOf('}') + 1).trim().split(' ')[0])
  }
  return 0
}

/**
 * Bytes received so far on each established TCP socket of process `pid`, keyed by its address
 * pair, from `ss -tinp` (its bytes_received counters); null where `ss` is missing.
 */
async function socketBytesReceived (pid: number): Promise<Map<string, number> | null> {
  let stdout: string
  try {
    ({ stdout } = await promisify(execFile)('ss', ['-tinpH', 'state', 'established'], { maxBuffer: 64 * 1024 * 1024 }))
  } catch {
    return null
  }
  // One socket is a line naming its addresses and process, then a tab-indented line of TCP counters.
  const sockets = new Map<string, number>()
  let socket: string | undefined
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('\t')) socket = line.includes(`pid=${pid},`) ? line.trim().split(/\s+/).slice(2, 4).join(' ') : undefined
    else if (socket !== undefined) sockets.set(socket, Number(/bytes_received:(\d+)/.exec(line)?.[1] ?? 0))
  }
  return sockets
}

/**
 * What arrived between two readings: each socket's growth, and all of a socket opened in between.
 * A socket that closed in between is missing from the second reading and counts nothing (libp2p
 * keeps a federation's connections open, so that is rare, and it can only undercount, never go
 * negative as a difference of totals would).
 */
function bytesBetween (before: Map<string, number>, after: Map<string, number>): number {
  let total = 0
  for (const [socket, bytes] of after) total += bytes - Math.min(bytes, before.get(socket) ?? 0)
  return total
}

/**
 * Peak resident set of one process over an interval, in KiB. Resets the kernel's high-water mark
 * (VmHWM) at the start by writing 5 to /proc/<pid>/clear_refs, so a later round is not charged
 * with an earlier one's peak; where that is not allowed, samples VmRSS instead.
 */
class PeakRss {
  readonly #pid: number
  readonly #resettable: boolean
  readonly #timer: NodeJS.Timeout
  #sampled = 0

  constructor (pid: number) {
    this.#pid = pid
    let resettable = true
    try {
      writeFileSync(`/proc/${pid}/clear_refs`, '5')
    } catch {
      resettable = false
    }
    this.#resettable = resettable
    this.#timer = setInterval(() => { this.#sampled = Math.max(this.#sampled, this.#read('VmRSS')) }, RSS_SAMPLE_MS)
  }

  stop (): number {
    clearInterval(this.#timer)
    return Math.max(this.#sampled, this.#resettable ? this.#read('VmHWM') : 0)
  }

  #read (field: 'VmRSS' | 'VmHWM'): number {
    try {
      const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${this.#pid}/status`, 'utf8'))
      return Number(match?.[1] ?? 0)
    } catch {
      return 0
    }
  }
}

export interface PlaintextFigures {
  /** Start until the coordinator holds the sum, per round run. */
  wallSeconds: number[]
  bytesPerValue: number
}

/**
 * The plaintext baseline: the same round shape (clients upload to the aggregator, the coordinator
 * pulls the sum), with float64 vectors in the clear over the same libp2p host, one process per node.
 */
export async function measurePlaintextRounds (clients: number, params: number, rounds = 2): Promise<PlaintextFigures> {
  const children: LineProcess[] = []
  try {
    const aggregator = new LineProcess(['aggregator'])
    children.push(aggregator)
    const { multiaddr } = await aggregator.next() as { multiaddr: string }
    const coordinator = new LineProcess(['coordinator', multiaddr])
    const members = Array.from({ length: clients }, () => new LineProcess(['client', multiaddr]))
    children.push(coordinator, ...members)
    await Promise.all([coordinator, ...members].map(async child => child.next()))
    const wallSeconds: number[] = []
    for (let round = 0; round < rounds; round++) {
      const started = performance.now()
      await Promise.all(members.map(async member => member.request({ cmd: 'submit', params })))
      await coordinator.request({ cmd: 'pull', params })
      wallSeconds.push(round3((performance.now() - started) / 1000))
    }
    return { wallSeconds, bytesPerValue: 8 }
  } finally {
    await Promise.all(children.map(async child => child.stop()))
  }
}

/** A plaintext-node.ts child: JSON commands in on stdin, JSON events out on stdout, one at a time. */
class LineProcess {
  readonly #child: ChildProcess
  readonly #events: Array<Record<string, unknown>> = []
  readonly #waiters: Array<(event: Record<string, unknown>) => void> = []
  readonly #exited: Promise<void>

  constructor (args: string[]) {
    this.#child = spawn(process.execPath, [PLAINTEXT_NODE, ...args], { stdio: ['pipe', 'pipe', 'inherit'] })
    this.#child.stdin!.on('error', () => {})
    this.#exited = new Promise(resolve => { this.#child.once('exit', () => { resolve() }) })
    createInterface({ input: this.#child.stdout! }).on('line', line => {
      const event = JSON.parse(line) as Record<string, unknown>
      const waiter = this.#waiters.shift()
      if (waiter === undefined) this.#events.push(event)
      else waiter(event)
    })
  }

  async next (): Promise<Record<string, unknown>> {
    const queued = this.#events.shift()
    if (queued !== undefined) return queued
    return Promise.race([
      new Promise<Record<string, unknown>>(resolve => { this.#waiters.push(resolve) }),
      this.#exited.then(() => { throw new Error(`plaintext-node ${this.#child.spawnargs.slice(2).join(' ')} exited`) })
    ])
  }

  async request (command: Record<string, unknown>): Promise<Record<string, unknown>> {
    this.#child.stdin!.write(JSON.stringify(command) + '\n')
    return this.next()
  }

  async stop (): Promise<void> {
    this.#child.stdin!.end()
    const timer = setTimeout(() => { this.#child.kill('SIGKILL') }, 10_000)
    await this.#exited
    clearTimeout(timer)
  }
}

export interface NaiveEstimate {
  /** Estimated wall seconds of the whole round in the naive design. */
  seconds: number
  /** Measured seconds per value for each operation, from `sample` values. */
  perValue: { encrypt: number, add: number, decrypt: number }
  sample: number
  bytesPerValue: number
  model: string
}

/**
 * The reference's unpacked design, one value per paillier-bigint ciphertext (g = n + 1, full r^n),
 * timed on `sample` values with the fixture key and extrapolated to the round: every client
 * encrypts `params` values (clients share the machine's cores, as in the measured fedagg round),
 * the aggregator adds clients·params ciphertexts one by one, the coordinator decrypts `params`,
 * and the transfer moves 2·k bits per value at the byte rate the plaintext baseline achieved over
 * the same transport (the naive design packs nothing, so its round is dominated by the first terms).
 */
export async function estimateNaiveRound (keyBits: FixtureKeyBits, clients: number, params: number, sample: number, transportBytesPerSecond: number): Promise<NaiveEstimate> {
  const key = privateKeyFromJSON(JSON.parse(await readFile(new URL(`paillier-${keyBits}.json`, FIXTURES), 'utf8')) as Parameters<typeof privateKeyFromJSON>[0])
  const { n } = key.publicKey
  const publicKey = new PublicKey(n, n + 1n)
  // paillier-bigint's key for our p, q with g = n + 1: λ = (p−1)(q−1), μ = λ⁻¹ mod n.
  const lambda = (key.p - 1n) * (key.q - 1n)
  const privateKey = new PrivateKey(lambda, modInverse(lambda, n), publicKey, key.p, key.q)
  const values = Array.from({ length: sample }, (_, i) => BigInt(i * 7919 % 65_536))
  let t = performance.now()
  const ciphertexts = values.map(m => publicKey.encrypt(m))
  const encrypt = (performance.now() - t) / 1000 / sample
  t = performance.now()
  let total = ciphertexts[0]!
  for (const c of ciphertexts) total = publicKey.addition(total, c)
  const add = (performance.now() - t) / 1000 / sample
  t = performance.now()
  for (const c of ciphertexts) privateKey.decrypt(c)
  const decrypt = (performance.now() - t) / 1000 / sample
  const bytesPerValue = 2 * keyBits / 8
  const cores = availableParallelism()
  const seconds = encrypt * clients * params / cores + add * clients * params + decrypt * params +
    bytesPerValue * clients * params / transportBytesPerSecond
  return {
    seconds: round3(seconds),
    perValue: { encrypt, add, decrypt },
    sample,
    bytesPerValue,
    model: `encrypt·clients·params/${cores} cores + add·clients·params + decrypt·params + ${bytesPerValue} B·clients·params at the plaintext baseline's byte rate`
  }
}

function round3 (value: number): number {
  return Math.round(value * 1000) / 1000
}
