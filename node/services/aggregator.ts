// Aggregator role as a libp2p service: accepts ciphertexts from roster clients, persists, folds, closes, re-randomizes and releases at quorum.
import type { ComponentLogger, Logger, PeerId, PrivateKey, Startable } from '@libp2p/interface'
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal'
import { FedaggError } from '../../protocol/errors.ts'
import { CiphertextAccumulator } from '../../protocol/aggregate/index.ts'
import { AGGREGATE_STATUS, WIRE } from '../../protocol/messages/index.ts'
import type { AggregateResponseHeader, SignedPayload, SubmissionHeader, SubmitResponse } from '../../protocol/messages/index.ts'
import { addCiphertexts, assertAllCoprimeToModulus, assertSubmittedCiphertexts, decodeCiphertexts, encodeCiphertexts } from '../../protocol/paillier/index.ts'
import {
  InvalidRoundStateError, ROUND_FAILURE_REASONS, RoundClosedError, SubmissionShapeError, UnknownRoundError, acceptSubmission, buildReceipt,
  buildTranscript, checkAnnouncementAgainstRoster, checkReceivedDigest, checkSubmission, closeRound, openAggregatorRound,
  releaseRound, restoreAggregatorRound, shouldClose, signReceipt, signTranscript, verifyAnnouncement, verifySubmissionStatement
} from '../../protocol/round/index.ts'
import type { AcceptedSubmission, AggregatorRoundState, AnnouncedRound, SubmissionAttempt } from '../../protocol/round/index.ts'
import type { Store } from '../store/index.ts'
import type { VectorEncryptor } from '../crypto/vector-encryptor.ts'
import type { FederationGossip } from '../membership/federation-gossip.ts'
import type { Membership } from '../membership/membership.ts'
import type { FedaggMetrics } from '../metrics/metrics.ts'
import { ciphertextDigest, planCiphertextChunks, receiveCiphertexts, sendCiphertexts } from '../streams/ciphertext-transfer.ts'
import { ProtocolEndpoint, deadline } from '../streams/exchange.ts'
import type { InboundExchange } from '../streams/exchange.ts'
import type { StreamLimits } from '../streams/limits.ts'
import { NO_CHECKPOINT } from './checkpoints.ts'
import { NO_EVENTS } from '../events/node-events.ts'
import type { NodeEvents } from '../events/node-events.ts'
import type { Checkpoint } from './checkpoints.ts'
import { REQUEST_TIMEOUT_MS, SMALL_FRAME_BYTES, TRANSFER_TIMEOUT_MS } from './constants.ts'

export interface AggregatorInit {
  federationId: string
  membership: Membership
  gossip: FederationGossip
  store: Store
  metrics: FedaggMetrics
  /**
   * Ciphertexts per chunk this node sends, capped at what one CiphertextChunk carries. Inbound
   * chunks are accepted up to the protocol's limit, whatever the sender's setting.
   */
  chunkCiphertexts: number
  limits: StreamLimits
  /** Asks the coordinator for its open rounds, for a submission naming a round this node missed. */
  fetchOpenRounds: (signal: AbortSignal) => Promise<SignedPayload[]>
  /**
   * Fresh encryptions of zero for re-randomizing the released aggregate. Prepared when a round is
   * adopted, so its precomputed noise fills while the clients train and upload, and the close costs
   * one product per ciphertext instead of one exponentiation on this thread.
   */
  zeroEncryptor: Pick<VectorEncryptor, 'prepare' | 'encrypt'>
  transferTimeoutMs?: number
  now?: () => number
  checkpoint?: Checkpoint
  /** @default NO_EVENTS */
  events?: NodeEvents
}

export interface AggregatorComponents {
  peerId: PeerId
  privateKey: PrivateKey
  registrar: Registrar
  connectionManager: ConnectionManager
  logger: ComponentLogger
}

/**
 * A round this node aggregates. Closed rounds stay tracked (without their
 * running product) until shortly after the deadline, so that a client that
 * lost its receipt can still resend and get the original one back.
 */
interface TrackedRound {
  round: AnnouncedRound
  state: AggregatorRoundState
  /** The running product while the round is open; dropped once it closes. */
  accumulator?: CiphertextAccumulator
  timer?: NodeJS.Timeout
  closing?: Promise<void>
}

/** Least time between two on-demand fetches of the coordinator's open rounds. */
const CATCH_UP_INTERVAL_MS = 2_000

/** How long after its deadline a closed round still answers resends; clients stop retrying at the deadline. */
const RESEND_WINDOW_MS = 60_000

export class AggregatorService implements Startable {
  readonly #components: AggregatorComponents
  readonly #init: AggregatorInit
  readonly #log: Logger
  readonly #endpoint: ProtocolEndpoint
  readonly #now: () => number
  readonly #checkpoint: Checkpoint
  readonly #events: NodeEvents
  readonly #rounds = new Map<string, TrackedRound>()
  readonly #forgetTimers = new Set<NodeJS.Timeout>()
  /** Aborted while the service is not running (from construction until start, and by stop). */
  #stopping = new AbortController()
  #lastCatchUpMs = Number.NEGATIVE_INFINITY
  /** The on-demand fetch of open rounds in flight, which every submission naming an unknown round waits for. */
  #catchUp: Promise<void> | undefined

  constructor (components: AggregatorComponents, init: AggregatorInit) {
    this.#components = components
    this.#init = init
    this.#log = components.logger.forComponent('fedagg:aggregator')
    this.#endpoint = new ProtocolEndpoint(components, init.limits, this.#log)
    this.#now = init.now ?? Date.now
    this.#checkpoint = init.checkpoint ?? NO_CHECKPOINT
    this.#events = init.events ?? NO_EVENTS
    this.#stopping.abort()
  }

  get #self (): string { return this.#components.peerId.toString() }

  get #stopped (): boolean { return this.#stopping.signal.aborted }

  async start (): Promise<void> {
    this.#stopping = new AbortController()
    const timeoutMs = this.#init.transferTimeoutMs ?? TRANSFER_TIMEOUT_MS
    await this.#endpoint.handle('submit', {
      timeoutMs,
      maxDataLength: SMALL_FRAME_BYTES,
      onError: err => { this.#init.metrics.submissionRejected(err.name) }
    }, async exchange => this.#handleSubmit(exchange))
    await this.#endpoint.handle('aggregate', { timeoutMs, maxDataLength: SMALL_FRAME_BYTES },
      async exchange => this.#handleAggregate(exchange))
    this.#init.gossip.on('announcement', signed => {
      this.track(signed).catch(err => { this.#log('ignored announcement - %e', err) })
    })
    this.#resume()
  }

  /**
   * Handlers go first, so no new stream finds the rounds half torn down; a
   * submission already in flight is reset rather than refused (see
   * #handleSubmit), and the client resends to the restarted node.
   */
  async stop (): Promise<void> {
    this.#stopping.abort()
    await this.#endpoint.unhandle('submit')
    await this.#endpoint.unhandle('aggregate')
    for (const active of this.#rounds.values()) clearTimeout(active.timer)
    await Promise.allSettled([...this.#rounds.values()].map(async active => active.closing))
    // After the closings: each one that finishes arms a forget timer.
    for (const timer of this.#forgetTimers) clearTimeout(timer)
    this.#forgetTimers.clear()
    this.#rounds.clear()
  }

  /**
   * Adopts an announcement naming this node as aggregator: signed by the
   * roster coordinator, consistent with the roster, persisted, then armed
   * with a close timer at its deadline.
   */
  async track (signed: SignedPayload): Promise<void> {
    const { membership } = this.#init
    const round = await verifyAnnouncement(signed, membership.coordinator() ?? '')
    const { announcement } = round
    if (announcement.aggregator !== this.#self || this.#rounds.has(announcement.roundId)) return
    if (membership.roster !== undefined) checkAnnouncementAgainstRoster(announcement, membership.roster)
    const { round: record } = this.#init.store.rounds.upsertAnnouncement({
      roundId: announcement.roundId,
      signedAnnouncement: WIRE.SignedPayload.encode(signed),
      deadlineMs: announcement.deadlineMs,
      openedAtMs: announcement.openedAtMs,
      announced: round
    })
    if (record.status === 'open') this.#activate(round, openAggregatorRound(round))
  }

  /**
   * After a restart, every round still open (or closed but not yet released)
   * gets its state and running aggregate rebuilt from the stored submissions,
   * one vector in memory at a time. The deadline is the announced absolute
   * time: a restart neither extends nor shortens it, and a round whose
   * deadline passed while we were down closes at once with what was persisted.
   */
  #resume (): void {
    const { store } = this.#init
    for (const status of ['open', 'closed', 'released', 'failed'] as const) {
      for (const record of store.rounds.listByStatus(status)) {
        const round = store.rounds.announced(record.roundId)
        if (round.announcement.aggregator !== this.#self) continue
        const finished = status === 'released' || status === 'failed'
        if (finished && record.deadlineMs + RESEND_WINDOW_MS < this.#now()) continue
        // Only a round that will still close needs its running product; a finished one answers resends from the store.
        const accumulator = finished ? undefined : new CiphertextAccumulator(round.publicKey.nSquared, round.plan.ciphertexts)
        const submissions: AcceptedSubmission[] = []
        for (const stored of store.submissions.forRound(record.roundId)) {
          accumulator?.add(decodeCiphertexts(round.publicKey, stored.ciphertexts))
          submissions.push({ client: stored.client, digest: stored.digest, index: stored.index, acceptedAtMs: stored.acceptedAtMs, statement: WIRE.SignedPayload.decode(stored.statement) })
        }
        // A round the store marks closed crashed mid-close: it takes no new submissions, and its
        // protocol state resumes as open so that closing runs again from the top.
        const state = restoreAggregatorRound(round, { status: 'open', submissions, closedAtMs: null, aggregateDigest: null, reason: '' })
        if (accumulator === undefined) {
          // Already released or failed: only resends are answered, from the stored receipts.
          this.#rounds.set(record.roundId, { round, state: { ...state, status: status, closedAtMs: record.updatedAtMs, reason: record.statusReason ?? '' } })
          this.#forgetLater(record.roundId, record.deadlineMs)
          continue
        }
        this.#activate(round, state, accumulator)
        this.#log('resumed round %s with %d stored submissions', record.roundId, submissions.length)
        if (status === 'closed' || submissions.length === state.eligible.length) this.#close(record.roundId)
      }
    }
  }

  /**
   * Tracks an open round and arms its close timer. A no-op once stopped: an
   * announcement verified or fetched during stop() would otherwise arm a
   * timer nobody clears, keeping the process alive until the deadline. The
   * round is in the store, so the next start resumes it.
   */
  #activate (round: AnnouncedRound, state: AggregatorRoundState,
    accumulator = new CiphertextAccumulator(round.publicKey.nSquared, round.plan.ciphertexts)): void {
    if (this.#stopped) return
    this.#init.zeroEncryptor.prepare(round.publicKey, round.plan.ciphertexts)
    const active: TrackedRound = { round, state, accumulator }
    this.#rounds.set(round.announcement.roundId, active)
    const delay = Math.max(0, round.announcement.deadlineMs - this.#now())
    active.timer = setTimeout(() => { this.#close(round.announcement.roundId) }, Math.min(delay, 2 ** 31 - 1))
  }

  async #handleSubmit ({ framed, remotePeer, signal }: InboundExchange): Promise<void> {
    let response: Partial<SubmitResponse>
    let roundId: string | undefined
    try {
      this.#init.membership.requireRole(remotePeer, 'client', 'submit')
      const header = await framed.read(WIRE.SubmissionHeader, { signal })
      roundId = header.roundId.slice(0, 130)
      await this.#catchUpOn(header.roundId)
      const { active, attempt } = this.#checkHeader(header, remotePeer)
      const bytes = await receiveCiphertexts(framed, header, attempt.expected, signal)
      this.#init.metrics.bytesReceived('submit', bytes.length)
      response = { accepted: true, receipt: await this.#accept(active, { ...attempt, nowMs: this.#now() }, bytes) }
    } catch (err) {
      // Stopping tears down the rounds under a submission in flight: whatever it then fails on says
      // nothing about the submission, so the stream is reset (the client retries) rather than refused.
      if (!(err instanceof FedaggError) || signal.aborted || this.#stopped) throw err
      // Refusals the client can act on travel back typed; the stream then closes cleanly.
      this.#init.metrics.submissionRejected(err.name)
      this.#events.emit('warn', 'submission.refused', { peerId: remotePeer, roundId, reason: err.name }, `refused a submission from ${remotePeer}: ${err.name}: ${err.message}`)
      response = { accepted: false, errorName: err.name, errorMessage: err.message }
    }
    await framed.write(WIRE.SubmitResponse, response as SubmitResponse, { signal })
    if (response.accepted === true) this.#checkpoint('aggregator:after-receipt')
  }

  /**
   * An announcement can be missed (it went out while this node was joining or
   * restarting). Before refusing a round it does not know, the aggregator asks
   * the coordinator; at most every CATCH_UP_INTERVAL_MS, so submissions
   * naming made-up rounds cannot turn into a flood of requests. Every
   * submission that arrives while a fetch is in flight waits for it: the
   * clients of a missed round all submit at about the same time, and
   * refusing all but the first would fail the round.
   */
  async #catchUpOn (roundId: string): Promise<void> {
    if (this.#rounds.has(roundId) || this.#init.store.rounds.get(roundId) !== undefined) return
    if (this.#catchUp === undefined && this.#now() - this.#lastCatchUpMs >= CATCH_UP_INTERVAL_MS) {
      this.#lastCatchUpMs = this.#now()
      this.#catchUp = this.#fetchOpenRounds(roundId).finally(() => { this.#catchUp = undefined })
    }
    await this.#catchUp
  }

  /**
   * Shared by several submissions, so it runs under its own deadline rather
   * than the stream of whichever submission started it.
   */
  async #fetchOpenRounds (roundId: string): Promise<void> {
    const signal = AbortSignal.any([this.#stopping.signal, deadline(REQUEST_TIMEOUT_MS)])
    const announcements = await this.#init.fetchOpenRounds(signal).catch((err: Error) => {
      this.#log('fetching open rounds for %s failed - %e', roundId, err)
      return []
    })
    await Promise.all(announcements.map(async signed => this.track(signed).catch(err => { this.#log('skipped a fetched announcement - %e', err) })))
  }

  /** Refuses from the header alone, before any chunk is read: round, eligibility, key, shape, size. */
  #checkHeader (header: SubmissionHeader, client: string): { active: TrackedRound, attempt: SubmissionAttempt } {
    const active = this.#rounds.get(header.roundId)
    if (active === undefined) {
      const stored = this.#init.store.rounds.get(header.roundId)
      if (stored !== undefined) throw new RoundClosedError(`round ${header.roundId}: expected an open round, got one that is ${stored.status}`)
      throw new UnknownRoundError(`round ${JSON.stringify(header.roundId.slice(0, 130))} is not known to this aggregator`)
    }
    const { plan, ciphertextWidth } = active.round
    const bytes = plan.ciphertexts * ciphertextWidth
    if (bytes > this.#init.limits.maxSubmissionBytes) {
      throw new SubmissionShapeError(`round ${header.roundId}: a submission of ${bytes} bytes exceeds this aggregator's limit of ${this.#init.limits.maxSubmissionBytes}`)
    }
    const attempt: SubmissionAttempt = { client, header, expected: { ciphertextCount: plan.ciphertexts, ciphertextWidth }, nowMs: this.#now() }
    checkSubmission(active.state, attempt)
    return { active, attempt }
  }

  /**
   * Validates the ciphertexts (0 < c < n², c ≠ 1, coprime to n) and the client's signed statement
   * of their digest, decides the submission with the round state machine, commits it, folds it in
   * and signs the receipt, in that order: the receipt only ever describes a committed submission,
   * and commit-then-fold runs with no await between them, so a close cannot slip in and miss a
   * committed submission.
   */
  async #accept (active: TrackedRound, attempt: SubmissionAttempt, bytes: Uint8Array<ArrayBuffer>): Promise<SignedPayload> {
    // Timed on either side of the await only, so other submissions' work in between is never counted here.
    const checking = performance.now()
    const ciphertexts = decodeCiphertexts(active.round.publicKey, bytes)
    assertSubmittedCiphertexts(active.round.publicKey, ciphertexts)
    const digest = ciphertextDigest(bytes)
    checkReceivedDigest(active.state, attempt, digest)
    const checkedMs = performance.now() - checking
    // The transcript lists this statement; the coordinator accepts no contributor without one.
    await verifySubmissionStatement(active.state, attempt.header.statement, attempt.client, digest)
    const storing = performance.now()
    const outcome = acceptSubmission(active.state, attempt, digest)
    const { roundId } = active.state
    const { submission } = outcome
    if (outcome.kind === 'accepted') {
      this.#checkpoint('aggregator:before-write')
      const inserted = this.#init.store.submissions.insert({
        roundId, client: submission.client, digest, ciphertexts: bytes, statement: WIRE.SignedPayload.encode(submission.statement), acceptedAtMs: submission.acceptedAtMs
      })
      if (inserted.kind !== 'inserted' || inserted.index !== submission.index) {
        throw new InvalidRoundStateError(`round ${roundId}: store and round state disagree on ${submission.client}'s submission`)
      }
      active.state = outcome.state
      active.accumulator!.add(ciphertexts)
      this.#init.metrics.submissionAccepted()
      this.#events.emit('info', 'submission.accepted', { peerId: submission.client, roundId, index: submission.index, contributors: active.state.submissions.length },
        `accepted ${submission.client}'s submission to round ${roundId} (index ${submission.index}, ${active.state.submissions.length} of ${active.state.eligible.length})`)
    }
    this.#checkpoint('aggregator:after-write')
    // Only the synchronous check and store-fold: concurrent submissions' awaits are not counted twice.
    this.#init.metrics.phaseSeconds('aggregate', (checkedMs + performance.now() - storing) / 1000)
    const stored = this.#init.store.submissions.get(roundId, submission.client)?.receipt
    if (stored !== undefined) return WIRE.SignedPayload.decode(stored)
    // Ed25519 is deterministic: re-signing the same fields after a crash yields the same receipt.
    const receipt = await signReceipt(this.#components.privateKey, buildReceipt(active.state, submission))
    const attached = this.#init.store.submissions.attachReceipt(roundId, submission.client, WIRE.SignedPayload.encode(receipt))
    if (shouldClose(active.state, this.#now())) this.#close(roundId)
    return WIRE.SignedPayload.decode(attached)
  }

  /** Closes a round once; later calls share the first close. */
  #close (roundId: string): void {
    const active = this.#rounds.get(roundId)
    if (active === undefined || active.state.status !== 'open' || active.closing !== undefined || this.#stopped) return
    clearTimeout(active.timer)
    active.closing = this.#finish(active).catch(err => {
      // A stop aborts a close that waits for noise; the next start closes the round again.
      if (this.#stopped) this.#log('closing round %s stopped - %e', roundId, err)
      else this.#log.error('closing round %s failed - %e', roundId, err)
    })
  }

  /**
   * Close protocol. First the store marks the round 'closed' (it then refuses
   * new submissions). Below quorum the state machine fails the round and
   * nothing is released. Otherwise a fresh encryption of zero is multiplied
   * into every ciphertext, so the released aggregate is unlinkable to the
   * product of the submitted ciphertexts (the zeros come from the noise
   * prepared since the round was adopted, the rest from the worker pool); the
   * result must pass gcd(c, n) = 1; transcript and aggregate are stored with the final status in one
   * transaction before the transcript is published.
   */
  async #finish (active: TrackedRound): Promise<void> {
    const { store, metrics } = this.#init
    const { publicKey } = active.round
    const roundId = active.state.roundId
    if (store.rounds.get(roundId)?.status === 'open') store.rounds.setStatus(roundId, 'closed')
    let state = closeRound(active.state, this.#now())
    // From here on the state machine refuses new submissions but still answers identical resends.
    active.state = state
    let signed: SignedPayload
    if (state.status === 'failed') {
      signed = await signTranscript(this.#components.privateKey, buildTranscript(state))
      store.rounds.saveClosing(roundId, { status: 'failed', signedTranscript: WIRE.SignedPayload.encode(signed), reason: state.reason })
      metrics.roundFailed(ROUND_FAILURE_REASONS.quorum)
    } else {
      // Timed from here: a close that waits for noise the pool lacked makes the round wait too.
      const started = performance.now()
      const product = active.accumulator!.value()
      // Off this thread when the noise ran short; a stop meanwhile aborts, and the next start closes again.
      const zeros = await this.#init.zeroEncryptor.encrypt(publicKey, product.map(() => 0n), this.#stopping.signal)
      const aggregate = product.map((c, i) => addCiphertexts(publicKey, c, zeros[i]!))
      assertAllCoprimeToModulus(publicKey, aggregate)
      const bytes = encodeCiphertexts(publicKey, aggregate)
      state = releaseRound(state, ciphertextDigest(bytes))
      signed = await signTranscript(this.#components.privateKey, buildTranscript(state))
      store.rounds.saveClosing(roundId, { status: 'released', signedTranscript: WIRE.SignedPayload.encode(signed), aggregate: bytes })
      metrics.phaseSeconds('aggregate', (performance.now() - started) / 1000)
      metrics.roundReleased()
    }
    active.state = state
    delete active.accumulator
    this.#forgetLater(roundId, active.round.announcement.deadlineMs)
    if (state.status === 'failed') {
      this.#events.emit('warn', 'round.failed', { roundId, reason: state.reason, contributors: state.submissions.length }, `round ${roundId} failed: ${state.reason}`)
    } else {
      this.#events.emit('info', 'round.released', { roundId, contributors: state.submissions.length },
        `closed round ${roundId} and released its aggregate over ${state.submissions.length} contributors`)
    }
    await this.#init.gossip.publish('transcript', signed).catch(err => { this.#log('publishing transcript failed - %e', err) })
  }

  #forgetLater (roundId: string, deadlineMs: number): void {
    const timer = setTimeout(() => {
      this.#forgetTimers.delete(timer)
      this.#rounds.delete(roundId)
    }, Math.min(Math.max(0, deadlineMs + RESEND_WINDOW_MS - this.#now()), 2 ** 31 - 1))
    this.#forgetTimers.add(timer)
  }

  /** Only the roster coordinator may pull an aggregate, and only once it is released. */
  async #handleAggregate ({ framed, remotePeer, signal }: InboundExchange): Promise<void> {
    this.#init.membership.requireRole(remotePeer, 'coordinator', 'pull aggregate')
    const request = await framed.read(WIRE.AggregateRequest, { signal })
    const record = this.#init.store.rounds.get(request.roundId)
    const closing = record === undefined ? undefined : this.#init.store.rounds.closing(request.roundId)
    if (record === undefined || closing === undefined) {
      const status = record === undefined ? AGGREGATE_STATUS.unknown : AGGREGATE_STATUS.pending
      await framed.write(WIRE.AggregateResponseHeader, { status } as AggregateResponseHeader, { signal })
      return
    }
    const transcript = WIRE.SignedPayload.decode(closing.signedTranscript)
    if (closing.aggregate === undefined) {
      await framed.write(WIRE.AggregateResponseHeader, { status: AGGREGATE_STATUS.failed, transcript } as AggregateResponseHeader, { signal })
      return
    }
    const { ciphertextWidth, plan } = this.#init.store.rounds.announced(request.roundId)
    const chunks = planCiphertextChunks(plan.ciphertexts, ciphertextWidth, this.#init.chunkCiphertexts)
    await framed.write(WIRE.AggregateResponseHeader, {
      status: AGGREGATE_STATUS.ready,
      transcript,
      ciphertextCount: plan.ciphertexts,
      ciphertextWidth,
      chunkCount: chunks.length
    } as AggregateResponseHeader, { signal })
    await sendCiphertexts(framed, closing.aggregate, ciphertextWidth, chunks, signal)
    this.#init.metrics.bytesSent('aggregate', closing.aggregate.length)
  }

}

export function aggregatorService (init: AggregatorInit): (components: AggregatorComponents) => AggregatorService {
  return components => new AggregatorService(components, init)
}
