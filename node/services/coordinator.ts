// Coordinator role as a libp2p service: opens rounds, pulls the released aggregate, decrypts it once, and publishes the result.
import { randomBytes } from 'node:crypto'
import type { ComponentLogger, Libp2pEvents, Logger, PeerId, PrivateKey, Startable, TypedEventTarget } from '@libp2p/interface'
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal'
import { peerIdFromString } from '@libp2p/peer-id'
import pRetry from 'p-retry'
import { FedaggError } from '../../protocol/errors.ts'
import {
  InvalidRoundDocumentError, InvalidSubmissionStatementError, MIN_NONCE_BYTES, MissingTagKeyError, NotEligibleError, ROUND_FAILURE_REASONS,
  RoundClosedError, RoundNotOpenError, UnknownRoundError, buildRoundResult, checkAggregateTags, checkTranscriptForRound, createAnnouncement, equalBytes,
  exactDecimal, openCoordinatorRound, recordCorrupt, recordDecrypted, recordFailed, roundParameters, signAnnouncement, signRoundResult, verifyContributions,
  verifyTagKey, verifyTranscript
} from '../../protocol/round/index.ts'
import type { AnnouncedRound, CoordinatorRoundState, ResultValues, RoundFailureReason, RoundOutcome } from '../../protocol/round/index.ts'
import { CorruptAggregateError, TagCheckError, decodeAggregate, parseEncoding, unpackAggregate } from '../../protocol/encoding/index.ts'
import type { VectorSpec } from '../../protocol/encoding/index.ts'
import { aggregators, clients } from '../../protocol/roster/index.ts'
import { AGGREGATE_STATUS, WIRE } from '../../protocol/messages/index.ts'
import type { SignedPayload, TagKeyResponse, Transcript } from '../../protocol/messages/index.ts'
import type { PaillierPrivateKey } from '../../protocol/paillier/index.ts'
import type { OpenRoundRequest } from '../api.ts'
import type { VectorDecryptor } from '../crypto/vector-decryptor.ts'
import type { FederationGossip } from '../membership/federation-gossip.ts'
import type { Membership } from '../membership/membership.ts'
import type { FedaggMetrics } from '../metrics/metrics.ts'
import type { Store } from '../store/index.ts'
import { ciphertextDigest, receiveCiphertexts } from '../streams/ciphertext-transfer.ts'
import { ProtocolEndpoint, StreamClosedError, deadline } from '../streams/exchange.ts'
import type { StreamLimits } from '../streams/limits.ts'
import { NO_CHECKPOINT } from './checkpoints.ts'
import type { Checkpoint } from './checkpoints.ts'
import { AGGREGATE_POLL_MAX_MS, AGGREGATE_POLL_MIN_MS, REQUEST_TIMEOUT_MS, SMALL_FRAME_BYTES, TRANSFER_TIMEOUT_MS } from './constants.ts'
import { DeadlineOutOfRangeError, TooManyOpenRoundsError } from './errors.ts'
import { NO_EVENTS } from '../events/node-events.ts'
import type { NodeEvents } from '../events/node-events.ts'

export class InvalidRoundRequestError extends FedaggError {
  static override name = 'InvalidRoundRequestError'
}

/** The aggregate is not yet released; the coordinator asks again later. */
class AggregatePendingError extends FedaggError {
  static override name = 'AggregatePendingError'
}

/** How a pull ended: the decided round state, and the values when it was decrypted or the reason code when it was not. */
type Decision = (
  | { state: CoordinatorRoundState, values: ResultValues }
  | { state: CoordinatorRoundState, failure: RoundFailureReason }
) & {
  /** Peer IDs the aggregator's transcript lists, when one came back. */
  contributors?: string[]
  /** Σ w of a weighted round's decrypted weight slot. */
  weightSum?: bigint
}

/** A round's outcome as it is recorded, for whatever must be stored in the same transaction (training checkpoints). */
export interface RecordedRoundOutcome {
  roundId: string
  status: RoundOutcome
  contributors: readonly string[]
  /** Weighted (or plain) means of a decrypted fixed-point round. */
  mean?: readonly number[]
  weightSum?: bigint
  reason: string
}

/** Not released yet, or the network failed: worth asking again. A typed refusal of the documents is final. */
function isTransient (error: unknown): boolean {
  return error instanceof AggregatePendingError || error instanceof StreamClosedError || !(error instanceof FedaggError)
}

export interface CoordinatorInit {
  federationId: string
  membership: Membership
  gossip: FederationGossip
  store: Store
  metrics: FedaggMetrics
  paillierKey: PaillierPrivateKey
  /**
   * Decrypts aggregates under paillierKey: short ones on this thread, long ones on worker threads
   * (node/crypto/vector-decryptor.ts). Its owner closes it after this service has stopped.
   */
  decryptor: VectorDecryptor
  limits: StreamLimits
  /** How long past a round's deadline the coordinator keeps asking for the aggregate. */
  settleGraceMs: number
  /** The longest deadline a round may be opened with (config round.maxDeadlineSeconds). */
  maxDeadlineSeconds: number
  /** Open rounds one aggregator may run at once (config round.maxOpenRoundsPerAggregator). */
  maxOpenRoundsPerAggregator: number
  /** @default NO_EVENTS */
  events?: NodeEvents
  now?: () => number
  checkpoint?: Checkpoint
  /**
   * Runs inside the transaction that records each round's outcome, so what it stores (a training
   * session's next model) commits with the round's final status or not at all; a throw rolls both back.
   */
  recordOutcome?: (outcome: RecordedRoundOutcome) => void
}

export interface CoordinatorComponents {
  events: TypedEventTarget<Libp2pEvents>
  peerId: PeerId
  privateKey: PrivateKey
  registrar: Registrar
  connectionManager: ConnectionManager
  logger: ComponentLogger
}

export class CoordinatorService implements Startable {
  readonly #components: CoordinatorComponents
  readonly #init: CoordinatorInit
  readonly #log: Logger
  readonly #endpoint: ProtocolEndpoint
  readonly #now: () => number
  readonly #checkpoint: Checkpoint
  readonly #events: NodeEvents
  readonly #settling = new Map<string, Promise<void>>()
  readonly #timers = new Set<NodeJS.Timeout>()
  readonly #resultListeners = new Set<(roundId: string) => void>()
  #stopping = new AbortController()
  #stopTranscripts = (): void => {}

  constructor (components: CoordinatorComponents, init: CoordinatorInit) {
    this.#components = components
    this.#init = init
    this.#log = components.logger.forComponent('fedagg:coordinator')
    this.#endpoint = new ProtocolEndpoint(components, init.limits, this.#log)
    this.#now = init.now ?? Date.now
    this.#checkpoint = init.checkpoint ?? NO_CHECKPOINT
    this.#events = init.events ?? NO_EVENTS
  }

  async start (): Promise<void> {
    this.#stopping = new AbortController()
    await this.#endpoint.handle('rounds', { timeoutMs: REQUEST_TIMEOUT_MS, maxDataLength: SMALL_FRAME_BYTES }, async ({ framed, remotePeer, signal }) => {
      this.#init.membership.requireMember(remotePeer, 'list open rounds')
      await framed.read(WIRE.OpenRoundsRequest, { signal })
      const announcements = this.#init.store.rounds.listByStatus('open')
        .map(record => WIRE.SignedPayload.decode(record.signedAnnouncement))
      await framed.write(WIRE.OpenRoundsResponse, { announcements }, { signal })
    })
    await this.#endpoint.handle('tagkey', { timeoutMs: REQUEST_TIMEOUT_MS, maxDataLength: SMALL_FRAME_BYTES }, async ({ framed, remotePeer, signal }) => {
      let response: TagKeyResponse
      try {
        this.#init.membership.requireRole(remotePeer, 'client', 'send a tag key')
        await this.#storeTagKey(await framed.read(WIRE.SignedPayload, { signal }), remotePeer)
        response = { accepted: true, errorName: '', errorMessage: '' }
      } catch (err) {
        if (!(err instanceof FedaggError)) throw err
        response = { accepted: false, errorName: err.name, errorMessage: err.message }
      }
      await framed.write(WIRE.TagKeyResponse, response, { signal })
    })
    this.#stopTranscripts = this.#init.gossip.on('transcript', signed => { this.#onTranscript(signed) })
    this.#components.events.addEventListener('peer:connect', this.#onPeerConnect)
  }

  /**
   * An aggregator that comes back (restarted, or reachable again) may have closed a round while it
   * was away: on restart it closes every round whose contributions are all stored. Its transcript
   * can miss us (it is published while its gossip mesh is still forming), and without it the round
   * would wait for the settle timer at the deadline. So its open rounds are settled from now on:
   * settling polls, with backoff, until the aggregate is released.
   */
  readonly #onPeerConnect = (event: CustomEvent<PeerId>): void => {
    const peer = event.detail.toString()
    if (!this.#init.membership.hasRole(peer, 'aggregator')) return
    const { rounds } = this.#init.store
    for (const record of rounds.listByStatus('open')) {
      if (rounds.announced(record.roundId).announcement.aggregator === peer) this.settle(record.roundId)
    }
  }

  /**
   * Recovery after a restart: results recorded but never published are
   * published now (never decrypted again), and open rounds get their
   * settle timers back at the announced deadline.
   */
  afterStart (): void {
    for (const record of this.#init.store.results.unpublished()) {
      void this.#publishResult(record.roundId, record.resultMessage)
    }
    for (const record of this.#init.store.rounds.listByStatus('open')) this.#scheduleSettle(record.roundId, record.deadlineMs)
  }

  /**
   * Stores a client's round tag key, durably, before the acknowledgement goes out: the client sends
   * its ciphertexts only after that, so every genuine contributor's key is here when the aggregate
   * is checked. Only for an open round that lists the client, signed by the client and bound to
   * the round's announcement and key.
   */
  async #storeTagKey (signed: SignedPayload, client: string): Promise<void> {
    const roundId = WIRE.TagKey.decode(signed.payload).roundId
    const record = this.#init.store.rounds.get(roundId)
    if (record === undefined) throw new UnknownRoundError(`tag key for round ${JSON.stringify(roundId.slice(0, 130))}: no such round`)
    if (record.status !== 'open') throw new RoundClosedError(`tag key for round ${roundId}: expected an open round, got one that is ${record.status}`)
    const round = roundParameters(this.#init.store.rounds.announced(roundId))
    if (!round.eligible.includes(client)) throw new NotEligibleError(`tag key for round ${roundId}: ${client} is not eligible`)
    const tagKey = await verifyTagKey(round, signed, client)
    this.#init.store.tagKeys.save(roundId, client, tagKey.tagKey, WIRE.SignedPayload.encode(signed))
  }

  async stop (): Promise<void> {
    this.#stopTranscripts()
    this.#components.events.removeEventListener('peer:connect', this.#onPeerConnect)
    this.#stopping.abort()
    for (const timer of this.#timers) clearTimeout(timer)
    this.#timers.clear()
    await Promise.allSettled(this.#settling.values())
    await this.#endpoint.unhandle('rounds')
    await this.#endpoint.unhandle('tagkey')
  }

  onResult (listener: (roundId: string) => void): () => void {
    this.#resultListeners.add(listener)
    return () => this.#resultListeners.delete(listener)
  }

  async openRound (request: OpenRoundRequest): Promise<AnnouncedRound> {
    const roster = this.#init.membership.roster!
    const eligible = request.eligible ?? clients(roster)
    const aggregator = request.aggregator ?? aggregators(roster)[0]
    if (aggregator === undefined) throw new InvalidRoundRequestError('aggregator: expected a roster aggregator, got none in the roster (admit one with `fedagg members add <peerId> --role aggregator`)')
    this.#checkDeadline(request.deadlineSeconds)
    this.#checkOpenRounds(aggregator)
    const encoding = parseEncoding(request.encoding, request.clip === undefined ? {} : { clip: request.clip })
    const spec: VectorSpec = {
      length: request.length,
      encoding,
      maxParticipants: request.maxParticipants ?? eligible.length,
      ...(request.weightBits === undefined || request.weightBits === 0 ? {} : { weightBits: request.weightBits })
    }
    const openedAtMs = this.#now()
    // createAnnouncement checks the request against the roster: aggregator role, eligible clients, quorum.
    const round = createAnnouncement({
      roster,
      roundId: `r-${openedAtMs}-${randomBytes(4).toString('hex')}`,
      nonce: randomBytes(MIN_NONCE_BYTES),
      aggregator,
      publicKey: this.#init.paillierKey.publicKey,
      spec,
      eligible,
      minParticipants: request.minParticipants,
      openedAtMs,
      deadlineMs: openedAtMs + request.deadlineSeconds * 1000
    })
    const signed = await signAnnouncement(this.#components.privateKey, round.announcement)
    this.#init.store.rounds.upsertAnnouncement({
      roundId: round.announcement.roundId,
      signedAnnouncement: WIRE.SignedPayload.encode(signed),
      deadlineMs: round.announcement.deadlineMs,
      openedAtMs,
      announced: round
    })
    this.#init.metrics.roundOpened()
    // A long aggregate will be decrypted on worker threads: they start now, while clients encrypt.
    this.#init.decryptor.prepare(round.plan.ciphertexts)
    const { announcement } = round
    this.#events.emit('info', 'round.opened', {
      roundId: announcement.roundId,
      peerId: aggregator,
      eligible: announcement.eligible.length,
      minParticipants: announcement.minParticipants,
      deadline: new Date(announcement.deadlineMs).toISOString()
    }, `opened round ${announcement.roundId}: ${announcement.minParticipants} of ${announcement.eligible.length} clients needed by ${new Date(announcement.deadlineMs).toISOString()}`)
    // Delivery may wait for the first subscriber; clients that miss it fetch open rounds directly.
    this.#init.gossip.publish('announcement', signed).catch(err => { this.#log('publishing announcement failed - %e', err) })
    this.#scheduleSettle(round.announcement.roundId, round.announcement.deadlineMs)
    return round
  }

  /**
   * A deadline is a positive number of seconds up to round.maxDeadlineSeconds: a typo such as
   * 99999999 would otherwise hold the round, and every client's submit, open for years.
   */
  #checkDeadline (deadlineSeconds: number): void {
    const max = this.#init.maxDeadlineSeconds
    if (!Number.isFinite(deadlineSeconds) || deadlineSeconds <= 0 || deadlineSeconds > max) {
      throw new DeadlineOutOfRangeError(`deadlineSeconds: expected a number of seconds in (0, ${max}] (round.maxDeadlineSeconds), got ${deadlineSeconds}`)
    }
  }

  #checkOpenRounds (aggregator: string): void {
    const open = this.#init.store.rounds.listByStatus('open').filter(record => this.#init.store.rounds.announced(record.roundId).announcement.aggregator === aggregator)
    const max = this.#init.maxOpenRoundsPerAggregator
    if (open.length >= max) {
      const ids = open.map(record => record.roundId).join(', ')
      throw new TooManyOpenRoundsError(`aggregator ${aggregator} already has ${open.length} open round${open.length === 1 ? '' : 's'} (${ids}), the most round.maxOpenRoundsPerAggregator allows (${max}): wait for it to finish or cancel it with \`fedagg round cancel <id>\``)
    }
  }

  /**
   * Closes an open round as failed, with the operator's reason, and publishes that result: the
   * aggregate is never pulled or decrypted, and clients stop submitting when they see it.
   */
  async cancelRound (roundId: string, reason: string): Promise<void> {
    const record = this.#init.store.rounds.get(roundId)
    if (record === undefined) throw new UnknownRoundError(`no round ${roundId} on this coordinator`)
    if (record.status !== 'open') throw new RoundNotOpenError(`round ${roundId} is already ${record.status}; only an open round can be cancelled`)
    const open = openCoordinatorRound(this.#init.store.rounds.announced(roundId))
    const state = recordFailed(open, `cancelled: ${reason}`, this.#now())
    this.#init.metrics.roundFailed(ROUND_FAILURE_REASONS.cancelled)
    const signed = await signRoundResult(this.#components.privateKey, buildRoundResult(state))
    const stored = this.#init.store.results.record(roundId, WIRE.SignedPayload.encode(signed), { status: 'failed', reason: state.reason })
    this.#events.emit('warn', 'round.cancelled', { roundId, reason: state.reason }, `cancelled round ${roundId}: ${reason}`)
    await this.#publishResult(roundId, stored.resultMessage)
  }

  #scheduleSettle (roundId: string, deadlineMs: number): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer)
      this.settle(roundId)
    }, Math.min(Math.max(0, deadlineMs - this.#now()), 2 ** 31 - 1))
    this.#timers.add(timer)
  }

  #onTranscript (signed: SignedPayload): void {
    const record = this.#init.store.rounds.get(WIRE.Transcript.decode(signed.payload).roundId)
    if (record?.status === 'open') this.settle(record.roundId)
  }

  /** Starts settling a round once; gossip, timers and restarts may all ask. */
  settle (roundId: string): void {
    if (this.#settling.has(roundId) || this.#stopping.signal.aborted) return
    const settling = this.#settle(roundId)
      .catch(err => { if (!this.#stopping.signal.aborted) this.#log.error('settling round %s failed - %e', roundId, err) })
      .finally(() => this.#settling.delete(roundId))
    this.#settling.set(roundId, settling)
  }

  async #settle (roundId: string): Promise<void> {
    const record = this.#init.store.rounds.get(roundId)
    if (record === undefined || record.status !== 'open') return
    const round = this.#init.store.rounds.announced(roundId)
    const open = openCoordinatorRound(round)
    const giveUpAt = round.announcement.deadlineMs + this.#init.settleGraceMs
    const decided = await pRetry(async () => this.#pull(round, open), {
      retries: Number.POSITIVE_INFINITY,
      minTimeout: AGGREGATE_POLL_MIN_MS,
      maxTimeout: AGGREGATE_POLL_MAX_MS,
      maxRetryTime: Math.max(0, giveUpAt - this.#now()),
      signal: this.#stopping.signal,
      shouldRetry: ({ error }) => isTransient(error)
    }).catch((err: Error): Decision => {
      if (this.#stopping.signal.aborted) throw err
      return {
        state: recordFailed(open, `no usable aggregate: ${err.name}: ${err.message}`, this.#now()),
        failure: isTransient(err) ? ROUND_FAILURE_REASONS.no_aggregate : ROUND_FAILURE_REASONS.document_invalid
      }
    })
    const { state } = decided
    // Cancelled while the pull was under way: the cancellation is the round's outcome.
    if (this.#init.store.rounds.get(roundId)?.status !== 'open') return
    if ('failure' in decided) this.#init.metrics.roundFailed(decided.failure)
    const signed = await signRoundResult(this.#components.privateKey, buildRoundResult(state, 'values' in decided ? decided.values : undefined))
    // record() checks-and-stores in one transaction: a round is decrypted and recorded at most once.
    const recordOutcome = this.#init.recordOutcome
    // buildRoundResult has refused an undecided state, so the status is an outcome.
    const status = state.status as RoundOutcome
    const stored = this.#init.store.results.record(roundId, WIRE.SignedPayload.encode(signed), {
      status,
      ...(state.reason === '' ? {} : { reason: state.reason }),
      ...(recordOutcome === undefined
        ? {}
        : {
            alongside: () => {
              recordOutcome({
                roundId,
                status,
                contributors: decided.contributors ?? [],
                ...('values' in decided && decided.values.mean !== undefined ? { mean: decided.values.mean } : {}),
                ...(decided.weightSum === undefined ? {} : { weightSum: decided.weightSum }),
                reason: state.reason
              })
            }
          })
    })
    this.#checkpoint('coordinator:after-record')
    if (state.status === 'decrypted') {
      this.#events.emit('info', 'round.decrypted', { roundId, peerId: round.announcement.aggregator, contributors: state.contributors },
        `decrypted round ${roundId}: the sum over ${state.contributors} contributors`)
    } else {
      this.#events.emit('warn', `round.${state.status === 'corrupt' ? 'corrupt' : 'failed'}`, { roundId, peerId: round.announcement.aggregator, reason: state.reason },
        `round ${roundId} ${state.status}: ${state.reason}`)
    }
    await this.#publishResult(roundId, stored.resultMessage)
  }

  /** One attempt to fetch the aggregate and decide the round; AggregatePendingError while it is not released. */
  async #pull (round: AnnouncedRound, open: CoordinatorRoundState): Promise<Decision> {
    const { announcement, plan, ciphertextWidth } = round
    const signal = AbortSignal.any([this.#stopping.signal, deadline(TRANSFER_TIMEOUT_MS)])
    const { transcript, bytes } = await this.#endpoint.request(peerIdFromString(announcement.aggregator), 'aggregate',
      { signal, maxDataLength: WIRE.AggregateResponseHeader.maxDataLength }, async framed => {
        await framed.write(WIRE.AggregateRequest, { roundId: announcement.roundId }, { signal })
        const header = await framed.read(WIRE.AggregateResponseHeader, { signal })
        if (header.status === AGGREGATE_STATUS.pending || header.status === AGGREGATE_STATUS.unknown || header.transcript === undefined) {
          throw new AggregatePendingError(`round ${announcement.roundId}: aggregator says ${header.status}`)
        }
        const transcript = await verifyTranscript(header.transcript, announcement.aggregator)
        checkTranscriptForRound(open, transcript)
        if (header.status === AGGREGATE_STATUS.failed) return { transcript, bytes: undefined }
        const expected = { ciphertextCount: plan.ciphertexts, ciphertextWidth }
        return { transcript, bytes: await receiveCiphertexts(framed, header, expected, signal) }
      })
    const contributors = transcript.contributors.map(contribution => contribution.client)
    if (bytes === undefined) {
      // The aggregator fails a round below quorum, or when it cannot build a valid aggregate.
      const failure = transcript.contributors.length < open.minParticipants ? ROUND_FAILURE_REASONS.quorum : ROUND_FAILURE_REASONS.aggregate_invalid
      return { state: recordFailed(open, transcript.reason === '' ? 'the aggregator failed the round' : transcript.reason, this.#now(), transcript), failure, contributors }
    }
    this.#init.metrics.bytesReceived('aggregate', bytes.length)
    if (!equalBytes(ciphertextDigest(bytes), transcript.aggregateDigest)) {
      throw new InvalidRoundDocumentError(`round ${announcement.roundId}: the aggregate's bytes do not match the transcript's digest`)
    }
    try {
      // Nothing is decrypted unless every listed contributor signed for the digest it is listed under.
      await verifyContributions(open, transcript)
    } catch (err) {
      if (!(err instanceof InvalidSubmissionStatementError)) throw err
      this.#init.metrics.decryption('corrupt')
      return { state: recordCorrupt(open, `${err.name}: ${err.message}`, this.#now(), transcript), failure: ROUND_FAILURE_REASONS.statement_invalid, contributors }
    }
    return { ...await this.#decrypt(round, open, transcript, bytes), contributors }
  }

  /**
   * Decrypts each ciphertext (CRT; on worker threads past INLINE_DECRYPTION_MAX),
   * unpacks with guard-bit and range checks,
   * checks every tag slot against the listed contributors' tags, and lets the
   * state machine require the count slot to equal the transcript's
   * contributor count. An aggregator that dropped, duplicated, replayed or
   * altered a contribution is caught by the tags, keyed by secrets it never
   * saw. A failed check marks the round corrupt and its values are never used.
   */
  async #decrypt (round: AnnouncedRound, open: CoordinatorRoundState, transcript: Transcript, bytes: Uint8Array): Promise<Decision> {
    const started = performance.now()
    // A stop rejects a decryption on the worker pool at once; the round stays open, and is settled
    // (decrypted once) after the next start.
    const plaintexts = await this.#init.decryptor.decrypt(bytes, this.#stopping.signal)
    try {
      const slots = unpackAggregate(round.plan, plaintexts)
      checkAggregateTags(open, round.plan, transcript, plaintexts, this.#init.store.tagKeys.forRound(open.roundId))
      const decoded = decodeAggregate(round.spec, round.plan, slots)
      this.#init.metrics.phaseSeconds('decrypt', (performance.now() - started) / 1000)
      const state = recordDecrypted(open, { transcript, countSlot: decoded.count, nowMs: this.#now() })
      this.#init.metrics.decryption('ok')
      const sum = decoded.kind === 'int' ? decoded.sum : decoded.sum.map(exactDecimal)
      return {
        state,
        values: { sum, ...(decoded.mean === undefined ? {} : { mean: decoded.mean }) },
        ...(decoded.weightSum === undefined ? {} : { weightSum: decoded.weightSum })
      }
    } catch (err) {
      const corrupt = err instanceof CorruptAggregateError || err instanceof TagCheckError || err instanceof MissingTagKeyError || err instanceof InvalidRoundDocumentError
      if (!corrupt) throw err
      this.#init.metrics.decryption('corrupt')
      // Tags and statements name a contributor or ciphertext; recordDecrypted's only refusal of a
      // checked, released transcript is a count slot that disagrees with it.
      const failure = err instanceof CorruptAggregateError
        ? ROUND_FAILURE_REASONS.slot_check
        : err instanceof TagCheckError || err instanceof MissingTagKeyError ? ROUND_FAILURE_REASONS.tag_mismatch : ROUND_FAILURE_REASONS.count_mismatch
      return { state: recordCorrupt(open, `${err.name}: ${err.message}`, this.#now(), transcript), failure }
    }
  }

  /** The result is final once recorded; it is marked published only once some peer was sent it. */
  async #publishResult (roundId: string, resultMessage: Uint8Array): Promise<void> {
    for (const listener of this.#resultListeners) listener(roundId)
    try {
      await this.#init.gossip.publish('result', WIRE.SignedPayload.decode(resultMessage))
      this.#init.store.results.markPublished(roundId)
    } catch (err) {
      this.#log('publishing result of %s failed; it is retried at the next start - %e', roundId, err)
    }
  }
}

export function coordinatorService (init: CoordinatorInit): (components: CoordinatorComponents) => CoordinatorService {
  return components => new CoordinatorService(components, init)
}

