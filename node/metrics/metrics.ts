// A node's Prometheus metrics: one prom-client Registry per node and the recording methods its services call.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { RoundFailureReason } from '../../protocol/round/index.ts'

export type DecryptionOutcome = 'ok' | 'corrupt'

/** What the round gauges need of a round (a RoundView fits). */
export interface RoundProgress {
  roundId: string
  status: string
  contributors?: number
}

/**
 * Where a round's time goes, per node: a client encrypting its vector and delivering it (upload
 * until the receipt), the aggregator checking, storing and folding a submission or closing a
 * round (re-randomizing the aggregate), the coordinator decrypting and decoding it.
 */
export type RoundPhase = 'encrypt' | 'transfer' | 'aggregate' | 'decrypt'

/** How a client made a ciphertext: from a precomputed randomizer, on the worker pool, or one native power on the main thread. */
export type EncryptionPath = 'noise' | 'pool' | 'one-off'

/** Where the coordinator decrypted an aggregate's ciphertexts: on its main thread, or on its worker pool. */
export type DecryptionPath = 'inline' | 'pool'

/** What the services record; the daemon serves `registry` on the control API's /metrics. */
export interface FedaggMetrics {
  readonly registry: Registry
  /** `text/plain; version=0.0.4; charset=utf-8`, the Prometheus exposition format. */
  readonly contentType: string
  /** Aggregator: a submission passed every check and was persisted. */
  submissionAccepted (): void
  /** Aggregator: a submission was refused; `reason` should be an error name (a small, fixed set). */
  submissionRejected (reason: string): void
  /** A gossip message failed validation and was rejected; `kind` is its event kind, or 'malformed'. */
  gossipRejected (kind: string): void
  /** Coordinator: a round was announced. */
  roundOpened (): void
  /** Aggregator: a round reached quorum and its aggregate was released. */
  roundReleased (): void
  /** A round ended failed or corrupt; `reason` is one code of the vocabulary coordinator and aggregator share. */
  roundFailed (reason: RoundFailureReason): void
  /** Coordinator: one aggregate decrypted, and whether its guard bits and ranges held. */
  decryption (outcome: DecryptionOutcome): void
  /** Coordinator: `count` ciphertexts of an aggregate decrypted along `path`. */
  ciphertextsDecrypted (path: DecryptionPath, count: number): void
  /** Seconds one step of a round took on this node (see RoundPhase). */
  phaseSeconds (phase: RoundPhase, seconds: number): void
  /** Client: a transcript misrepresented this client's contribution; `kind` is the ContributionAlarm. */
  clientAlarm (kind: string): void
  /** Payload bytes read from a fedagg protocol stream, by protocol name (e.g. 'submit'). */
  bytesReceived (protocol: string, bytes: number): void
  /** Payload bytes written to a fedagg protocol stream, by protocol name. */
  bytesSent (protocol: string, bytes: number): void
  /** Sets where the connected-peers gauge reads its value at scrape time. */
  observeConnectedPeers (source: () => number | Promise<number>): void
  /** Sets where the open-rounds and contributions gauges read this node's rounds at scrape time. */
  observeRounds (source: () => Promise<readonly RoundProgress[]>): void
  /** Client: `count` ciphertexts made along `path`. */
  ciphertextsEncrypted (path: EncryptionPath, count: number): void
  /** Sets where the noise-pool gauge (precomputed randomizers ready) reads its value at scrape time. */
  observeNoisePool (source: () => number): void
  /** Aggregator: `count` encryptions of zero made along `path` to re-randomize a released aggregate. */
  zeroEncryptions (path: EncryptionPath, count: number): void
  /** Sets where the aggregator's noise-pool gauge reads its value at scrape time. */
  observeAggregatorNoisePool (source: () => number): void
  /** The registry in Prometheus text format. */
  render (): Promise<string>
}

export interface FedaggMetricsInit {
  /**
   * Also export prom-client's process metrics (CPU, memory, event loop lag).
   * Off in tests: they start an event-loop monitor per registry.
   * @default false
   */
  defaultMetrics?: boolean
  /** Labels added to every series, e.g. `{ peer_id }`. */
  labels?: Record<string, string>
}

/**
 * Distinct label values accepted per label before further ones are folded
 * into 'other': reasons and protocol names are meant to be a small fixed set,
 * and a bug that passes free text must not grow the registry without bound.
 */
const MAX_LABEL_VALUES = 32
/** Longest label value kept; longer ones are cut. */
const MAX_LABEL_LENGTH = 64

export function createFedaggMetrics (init: FedaggMetricsInit = {}): FedaggMetrics {
  // A private registry, never prom-client's global one, so several nodes in one
  // process (tests, `createFederationNode` in a program) keep separate counts.
  const registry = new Registry()
  if (init.labels !== undefined) registry.setDefaultLabels(init.labels)
  if (init.defaultMetrics === true) collectDefaultMetrics({ register: registry })

  const submissionsAccepted = new Counter({
    name: 'fedagg_submissions_accepted_total',
    help: 'Submissions the aggregator accepted and persisted',
    registers: [registry]
  })
  const submissionsRejected = new Counter({
    name: 'fedagg_submissions_rejected_total',
    help: 'Submissions the aggregator refused, by reason',
    labelNames: ['reason'],
    registers: [registry]
  })
  const gossipRejected = new Counter({
    name: 'fedagg_gossip_rejected_total',
    help: 'Gossip messages rejected by the federation topic validator, by event kind',
    labelNames: ['kind'],
    registers: [registry]
  })
  const roundsOpened = new Counter({
    name: 'fedagg_rounds_opened_total',
    help: 'Rounds this node opened as coordinator',
    registers: [registry]
  })
  const roundsReleased = new Counter({
    name: 'fedagg_rounds_released_total',
    help: 'Rounds whose aggregate this node released as aggregator',
    registers: [registry]
  })
  const roundsFailed = new Counter({
    name: 'fedagg_rounds_failed_total',
    help: 'Rounds that ended failed or corrupt, by reason code (protocol/round/status.ts ROUND_FAILURE_REASONS)',
    labelNames: ['reason'],
    registers: [registry]
  })
  const decryptions = new Counter({
    name: 'fedagg_decryptions_total',
    help: 'Aggregates decrypted by this node as coordinator, by outcome',
    labelNames: ['outcome'],
    registers: [registry]
  })
  const ciphertextsDecrypted = new Counter({
    name: 'fedagg_coordinator_ciphertexts_decrypted_total',
    help: 'Aggregate ciphertexts this coordinator decrypted, by path: inline (main thread, short vectors) or pool (worker threads)',
    labelNames: ['path'],
    registers: [registry]
  })
  const clientAlarms = new Counter({
    name: 'fedagg_client_alarms_total',
    help: 'Transcripts that misrepresented this client\'s contribution (omitted, listed without submission, foreign digest), by kind',
    labelNames: ['kind'],
    registers: [registry]
  })
  const bytesReceived = new Counter({
    name: 'fedagg_bytes_received_total',
    help: 'Payload bytes read from fedagg protocol streams, by protocol',
    labelNames: ['protocol'],
    registers: [registry]
  })
  const bytesSent = new Counter({
    name: 'fedagg_bytes_sent_total',
    help: 'Payload bytes written to fedagg protocol streams, by protocol',
    labelNames: ['protocol'],
    registers: [registry]
  })
  const phaseSeconds = new Histogram({
    name: 'fedagg_round_phase_seconds',
    help: 'Seconds spent per round step on this node, by phase (encrypt, transfer, aggregate, decrypt)',
    labelNames: ['phase'],
    // From a one-ciphertext submission (ms) to a model-sized one on a loaded machine (minutes).
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300],
    registers: [registry]
  })
  let connectedPeersSource: (() => number | Promise<number>) | undefined
  registry.registerMetric(new Gauge({
    name: 'fedagg_connected_peers',
    help: 'Peers this node has an open libp2p connection to',
    registers: [],
    // Read at scrape time, so the gauge never lags the connection manager.
    async collect () {
      if (connectedPeersSource !== undefined) this.set(await connectedPeersSource())
    }
  }))

  let roundsSource: (() => Promise<readonly RoundProgress[]>) | undefined
  const openRounds = async (): Promise<RoundProgress[]> =>
    roundsSource === undefined ? [] : (await roundsSource()).filter(round => round.status === 'open')
  registry.registerMetric(new Gauge({
    name: 'fedagg_open_rounds',
    help: 'Rounds this node sees in status open',
    registers: [],
    async collect () { this.set((await openRounds()).length) }
  }))
  registry.registerMetric(new Gauge({
    name: 'fedagg_round_contributions',
    help: 'Contributions received so far per open round, by round ID (series of a round vanish once it leaves open)',
    labelNames: ['round_id'],
    registers: [],
    // Reset first: a closed round must drop out rather than keep its last count. Only open rounds
    // are labelled, and each lasts until its deadline, so the round_id label stays bounded.
    async collect () {
      const rounds = await openRounds()
      this.reset()
      for (const round of rounds) this.set({ round_id: round.roundId }, round.contributors ?? 0)
    }
  }))

  const clientNoise = noiseSeries(registry, {
    counter: 'fedagg_client_ciphertexts_encrypted_total',
    counterHelp: 'Ciphertexts this client made, by path: noise (precomputed randomizer, one product), pool (worker threads), one-off',
    gauge: 'fedagg_client_noise_pool_entries',
    gaugeHelp: 'Precomputed encryption randomizers this client holds for the current key (a count; the values never leave memory)'
  })
  const aggregatorNoise = noiseSeries(registry, {
    counter: 'fedagg_aggregator_zero_encryptions_total',
    counterHelp: 'Encryptions of zero this aggregator multiplied into released aggregates, by path: noise (precomputed), pool (worker threads), one-off',
    gauge: 'fedagg_aggregator_noise_pool_entries',
    gaugeHelp: 'Precomputed randomizers this aggregator holds for re-randomizing the next aggregate (a count; the values never leave memory)'
  })

  const reasonLabel = boundedLabel()
  const protocolLabel = boundedLabel()

  return {
    registry,
    contentType: registry.contentType,
    submissionAccepted: () => { submissionsAccepted.inc() },
    submissionRejected: (reason) => { submissionsRejected.inc({ reason: reasonLabel(reason) }) },
    gossipRejected: (kind) => { gossipRejected.inc({ kind: reasonLabel(kind) }) },
    roundOpened: () => { roundsOpened.inc() },
    roundReleased: () => { roundsReleased.inc() },
    roundFailed: (reason) => { roundsFailed.inc({ reason }) },
    decryption: (outcome) => { decryptions.inc({ outcome }) },
    ciphertextsDecrypted: (path, count) => { if (count > 0) ciphertextsDecrypted.inc({ path }, count) },
    phaseSeconds: (phase, seconds) => { phaseSeconds.observe({ phase }, seconds) },
    clientAlarm: (kind) => { clientAlarms.inc({ kind: reasonLabel(kind) }) },
    bytesReceived: (protocol, bytes) => { bytesReceived.inc({ protocol: protocolLabel(protocol) }, checkedBytes(bytes)) },
    bytesSent: (protocol, bytes) => { bytesSent.inc({ protocol: protocolLabel(protocol) }, checkedBytes(bytes)) },
    observeConnectedPeers: (source) => { connectedPeersSource = source },
    observeRounds: (source) => { roundsSource = source },
    ciphertextsEncrypted: clientNoise.encrypted,
    observeNoisePool: clientNoise.observe,
    zeroEncryptions: aggregatorNoise.encrypted,
    observeAggregatorNoisePool: aggregatorNoise.observe,
    render: async () => registry.metrics()
  }
}

/**
 * One role's noise-pool series: a counter of encryptions by path, and a gauge of the randomizers
 * held, read from `observe`'s source at scrape time.
 */
function noiseSeries (registry: Registry, names: { counter: string, counterHelp: string, gauge: string, gaugeHelp: string }): {
  encrypted: (path: EncryptionPath, count: number) => void
  observe: (source: () => number) => void
} {
  const counter = new Counter({ name: names.counter, help: names.counterHelp, labelNames: ['path'], registers: [registry] })
  let source: (() => number) | undefined
  registry.registerMetric(new Gauge({
    name: names.gauge,
    help: names.gaugeHelp,
    registers: [],
    collect () {
      if (source !== undefined) this.set(source())
    }
  }))
  return {
    encrypted: (path, count) => { if (count > 0) counter.inc({ path }, count) },
    observe: (next) => { source = next }
  }
}

/** Returns a mapper that keeps at most MAX_LABEL_VALUES distinct values for one label. */
function boundedLabel (): (value: string) => string {
  const seen = new Set<string>()
  return (value) => {
    const cleaned = value.slice(0, MAX_LABEL_LENGTH)
    if (seen.has(cleaned)) return cleaned
    if (seen.size >= MAX_LABEL_VALUES) return 'other'
    seen.add(cleaned)
    return cleaned
  }
}

/** Counters only go up: a negative or fractional byte count is a caller bug, caught here rather than in prom-client. */
function checkedBytes (bytes: number): number {
  if (!Number.isSafeInteger(bytes) || bytes < 0) {
    throw new RangeError(`bytes: expected a non-negative integer, got ${bytes}`)
  }
  return bytes
}
