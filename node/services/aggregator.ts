// Aggregator role as a libp2p service: accepts ciphertexts from roster clients, persists, folds, closes, re-randomizes and releases at quorum.
import type { ComponentLogger, Logger, PeerId, PrivateKey, Startable } from '@libp2p/interface'
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal'
import { peerIdFromString } from '@libp2p/peer-id'
import { FedaggError } from '../../protocol/errors.ts'
import { interpretAnnouncement } from '../../protocol/announcement/index.ts'
import type { AnnouncedRound } from '../../protocol/announcement/index.ts'
import { CiphertextAccumulator } from '../../protocol/aggregate/index.ts'
import { AGGREGATE_STATUS, DOMAINS, PROTOCOLS, TRANSCRIPT_STATUS, WIRE } from '../../protocol/messages/index.ts'
import type { AggregateResponseHeader, SignedPayload, SubmissionHeader, SubmitResponse, Transcript } from '../../protocol/messages/index.ts'
import { assertCoprimeToModulus, decodeCiphertexts, encodeCiphertexts } from '../../protocol/paillier/codec.ts'
import { rerandomize } from '../../protocol/paillier/encrypt.ts'
import { openSignedMessage, signMessage } from '../../protocol/signing/index.ts'
import type { Store } from '../store/index.ts'
import type { FederationGossip } from '../membership/federation-gossip.ts'
import type { Membership } from '../membership/membership.ts'
import type { FedaggMetrics } from '../metrics/metrics.ts'
import { chunkCountFor, ciphertextDigest, receiveCiphertexts, sendCiphertexts } from '../streams/ciphertext-transfer.ts'
import { ProtocolEndpoint, deadline } from '../streams/exchange.ts'
import type { InboundExchange } from '../streams/exchange.ts'
import type { StreamLimits } from '../streams/limits.ts'
import { NO_CHECKPOINT } from './checkpoints.ts'
import type { Checkpoint } from './checkpoints.ts'
import { REQUEST_TIMEOUT_MS, SMALL_FRAME_BYTES, TRANSFER_TIMEOUT_MS } from './constants.ts'

/** A submission the aggregator refuses; the client gets the name and message back in SubmitResponse. */
export class SubmissionRejectedError extends FedaggError {
  static override name = 'SubmissionRejectedError'
}

export class UnknownRoundError extends FedaggError {
  static override name = 'UnknownRoundError'
}

export class RoundClosedError extends FedaggError {
  static override name = 'RoundClosedError'
}

export class SubmissionShapeError extends FedaggError {
  static override name = 'SubmissionShapeError'
}

export class DigestMismatchError extends FedaggError {
  static override name = 'DigestMismatchError'
}

export interface AggregatorInit {
  federationId: string
  membership: Membership
  gossip: FederationGossip
  store: Store
  metrics: FedaggMetrics
  /** Largest number of ciphertexts a client may put in one chunk frame. */
  maxChunkCiphertexts: number
  /** Ciphertexts per chunk when this node sends the aggregate. */
  chunkCiphertexts: number
  limits: StreamLimits
  transferTimeoutMs?: number
  now?: () => number
  checkpoint?: Checkpoint
}

export interface AggregatorComponents {
  peerId: PeerId
  privateKey: PrivateKey
  registrar: Registrar
  connectionManager: ConnectionManager
  logger: ComponentLogger
}

/** In-memory state of a round this node aggregates: the running product and the close timer. */
interface ActiveRound {
  round: AnnouncedRound
  signed: SignedPayload
  accumulator: CiphertextAccumulator
  timer?: NodeJS.Timeout
  closing?: Promise<void>
}

export class AggregatorService implements Startable {
  readonly #components: AggregatorComponents
  readonly #init: AggregatorInit
  readonly #log: Logger
  readonly #endpoint: ProtocolEndpoint
  readonly #now: () => number
  readonly #checkpoint: Checkpoint
  readonly #rounds = new Map<string, ActiveRound>()
  #stopped = true

  constructor (components: AggregatorComponents, init: AggregatorInit) {
    this.#components = components
    this.#init = init
    this.#log = components.logger.forComponent('fedagg:aggregator')
    this.#endpoint = new ProtocolEndpoint(components, init.limits, this.#log)
    this.#now = init.now ?? Date.now
    this.#checkpoint = init.checkpoint ?? NO_CHECKPOINT
  }

  get #self (): string { return this.#components.peerId.toString() }

  async start (): Promise<void> {
    this.#stopped = false
    const transferTimeoutMs = this.#init.transferTimeoutMs ?? TRANSFER_TIMEOUT_MS
    await this.#endpoint.handle('submit', {
      timeoutMs: transferTimeoutMs,
      maxDataLength: SMALL_FRAME_BYTES,
      onError: err => { this.#init.metrics.submissionRejected(err.name) }
    }, async exchange => this.#handleSubmit(exchange))
    await this.#endpoint.handle('aggregate', { timeoutMs: transferTimeoutMs, maxDataLength: SMALL_FRAME_BYTES },
      async exchange => this.#handleAggregate(exchange))
    this.#init.gossip.on('announcement', signed => {
      this.track(signed).catch(err => { this.#log('ignored announcement - %e', err) })
    })
    await this.#resume()
  }

  /** Late start or restart: ask the coordinator for rounds opened while we were away. */
  afterStart (): void {
    void this.#fetchOpenRounds().catch(err => { this.#log('fetching open rounds failed - %e', err) })
  }

  async stop (): Promise<void> {
    this.#stopped = true
    for (const active of this.#rounds.values()) clearTimeout(active.timer)
    await Promise.allSettled([...this.#rounds.values()].map(async active => active.closing))
    this.#rounds.clear()
    await this.#endpoint.unhandle('submit')
    await this.#endpoint.unhandle('aggregate')
  }

  /**
   * Adopts a signed announcement naming this node as aggregator: verified
   * against the roster coordinator, persisted, then armed with a close timer.
   */
  async track (signed: SignedPayload): Promise<void> {
    const coordinator = this.#init.membership.coordinator()
    const announcement = await openSignedMessage(signed, DOMAINS.announcement, WIRE.RoundAnnouncement, coordinator)
    if (announcement.aggregator !== this.#self || announcement.federationId !== this.#init.federationId) return
    if (this.#rounds.has(announcement.roundId)) return
    const round = interpretAnnouncement(announcement)
    const { round: record } = this.#init.store.rounds.upsertAnnouncement({
      roundId: announcement.roundId,
      signedAnnouncement: WIRE.SignedPayload.encode(signed),
      deadlineMs: announcement.deadlineMs,
      openedAtMs: announcement.openedAtMs
    })
    if (record.status === 'open' || record.status === 'closed') this.#activate(round, signed)
  }

  /**
   * After a restart, every round still open (or closed but not yet released)
   * gets its running aggregate refolded from the stored submissions, one
   * vector in memory at a time. The deadline is the announced absolute time:
   * a restart neither extends nor shortens it, and a round whose deadline
   * passed while we were down closes at once with what was persisted.
   */
  async #resume (): Promise<void> {
    for (const status of ['open', 'closed'] as const) {
      for (const record of this.#init.store.rounds.listByStatus(status)) {
        const signed = WIRE.SignedPayload.decode(record.signedAnnouncement)
        const round = interpretAnnouncement(WIRE.RoundAnnouncement.decode(signed.payload))
        if (round.announcement.aggregator !== this.#self) continue
        const active = this.#activate(round, signed)
        for (const submission of this.#init.store.submissions.forRound(record.roundId)) {
          active.accumulator.add(decodeCiphertexts(round.publicKey, submission.ciphertexts))
        }
        this.#log('resumed round %s with %d stored submissions', record.roundId, active.accumulator.contributions)
        if (status === 'closed') this.#close(record.roundId)
      }
    }
  }

  #activate (round: AnnouncedRound, signed: SignedPayload): ActiveRound {
    const active: ActiveRound = {
      round,
      signed,
      accumulator: new CiphertextAccumulator(round.publicKey.nSquared, round.plan.ciphertexts)
    }
    this.#rounds.set(round.announcement.roundId, active)
    const delay = Math.max(0, round.announcement.deadlineMs - this.#now())
    active.timer = setTimeout(() => { this.#close(round.announcement.roundId) }, Math.min(delay, 2 ** 31 - 1))
    return active
  }

  async #handleSubmit ({ framed, remotePeer, signal }: InboundExchange): Promise<void> {
    let header: SubmissionHeader
    let response: Partial<SubmitResponse>
    try {
      this.#init.membership.requireRole(remotePeer, 'client', 'submit')
      header = await framed.read(WIRE.SubmissionHeader, { signal })
      const active = this.#checkHeader(header, remotePeer)
      const bytes = await receiveCiphertexts(framed, {
        ciphertextCount: header.ciphertextCount,
        width: header.ciphertextWidth,
        chunkCount: header.chunkCount,
        maxChunkCiphertexts: this.#init.maxChunkCiphertexts
      }, signal)
      this.#init.metrics.bytesReceived(PROTOCOLS.submit, bytes.length)
      response = { accepted: true, receipt: await this.#accept(active, remotePeer, header, bytes) }
    } catch (err) {
      if (!(err instanceof FedaggError) || signal.aborted) throw err
      // Refusals the client can act on travel back typed; the stream then closes cleanly.
      this.#init.metrics.submissionRejected(err.name)
      response = { accepted: false, errorName: err.name, errorMessage: err.message }
    }
    await framed.write(WIRE.SubmitResponse, response as SubmitResponse, { signal })
    if (response.accepted === true) this.#checkpoint('aggregator:after-receipt')
  }

  /** Header checks: eligibility, round open, key, and the exact shape the announced spec implies. */
  #checkHeader (header: SubmissionHeader, client: string): ActiveRound {
    const active = this.#rounds.get(header.roundId)
    if (active === undefined) {
      const stored = this.#init.store.rounds.get(header.roundId)
      if (stored !== undefined) throw new RoundClosedError(`round ${header.roundId} is ${stored.status}`)
      throw new UnknownRoundError(`round ${JSON.stringify(header.roundId.slice(0, 130))} is not known to this aggregator`)
    }
    const { announcement, plan, ciphertextWidth, publicKey } = active.round
    if (!announcement.eligible.includes(client)) {
      throw new SubmissionRejectedError(`round ${header.roundId}: ${client} is not an eligible client`)
    }
    if (header.keyFingerprint !== publicKey.fingerprint) {
      throw new SubmissionRejectedError(`round ${header.roundId}: expected key fingerprint ${publicKey.fingerprint}, got ${header.keyFingerprint}`)
    }
    if (plan.ciphertexts * ciphertextWidth > this.#init.limits.maxSubmissionBytes) {
      throw new SubmissionShapeError(`round ${header.roundId}: a submission of ${plan.ciphertexts * ciphertextWidth} bytes exceeds this aggregator's limit of ${this.#init.limits.maxSubmissionBytes}`)
    }
    if (header.ciphertextCount !== plan.ciphertexts || header.ciphertextWidth !== ciphertextWidth) {
      throw new SubmissionShapeError(`round ${header.roundId}: expected ${plan.ciphertexts} ciphertexts of ${ciphertextWidth} bytes, got ${header.ciphertextCount} of ${header.ciphertextWidth}`)
    }
    if (active.closing !== undefined || this.#now() >= announcement.deadlineMs) {
      throw new RoundClosedError(`round ${header.roundId} closed at its deadline`)
    }
    return active
  }

  /**
   * Validates the ciphertexts, commits the submission, folds it in and signs
   * the receipt, in that order: the receipt only ever describes a committed
   * submission, and the insert-then-fold runs with no await between them, so
   * a close cannot slip in and miss a committed submission.
   */
  async #accept (active: ActiveRound, client: string, header: SubmissionHeader, bytes: Uint8Array): Promise<SignedPayload> {
    const digest = ciphertextDigest(bytes)
    if (Buffer.compare(digest, header.digest) !== 0) {
      throw new DigestMismatchError(`round ${header.roundId}: the ciphertexts do not match the header digest`)
    }
    const ciphertexts = decodeCiphertexts(active.round.publicKey, bytes)
    const roundId = header.roundId
    const acceptedAtMs = this.#now()
    this.#checkpoint('aggregator:before-write')
    const inserted = this.#init.store.submissions.insert({ roundId, client, digest, ciphertexts: bytes, acceptedAtMs })
    if (inserted.kind === 'inserted') {
      active.accumulator.add(ciphertexts)
      this.#init.metrics.submissionAccepted()
    }
    this.#checkpoint('aggregator:after-write')
    if (inserted.kind === 'duplicate' && inserted.receipt !== undefined) {
      return WIRE.SignedPayload.decode(inserted.receipt)
    }
    const meta = this.#init.store.submissions.get(roundId, client)!
    // Ed25519 is deterministic: re-signing the same fields after a crash yields the same receipt.
    const receipt = await signMessage(this.#components.privateKey, DOMAINS.receipt, WIRE.Receipt, {
      federationId: this.#init.federationId,
      roundId,
      client,
      aggregator: this.#self,
      digest: Uint8Array.from(meta.digest),
      index: meta.index,
      acceptedAtMs: meta.acceptedAtMs
    })
    const stored = this.#init.store.submissions.attachReceipt(roundId, client, WIRE.SignedPayload.encode(receipt))
    if (this.#init.store.submissions.count(roundId) === active.round.announcement.eligible.length) {
      this.#close(roundId)
    }
    return WIRE.SignedPayload.decode(stored)
  }

  /** Closes a round once; later calls share the first close. */
  #close (roundId: string): void {
    const active = this.#rounds.get(roundId)
    if (active === undefined || active.closing !== undefined || this.#stopped) return
    clearTimeout(active.timer)
    active.closing = this.#finish(active).catch(err => {
      this.#log.error('closing round %s failed - %e', roundId, err)
    })
  }

  /**
   * Close protocol. First mark the round 'closed' (the store then refuses new
   * submissions). Below quorum the round fails and nothing is released.
   * Otherwise multiply a fresh encryption of zero into every ciphertext, so
   * the released aggregate is unlinkable to the product of the submitted
   * ciphertexts, check gcd(c, n) = 1 on the result, and store transcript and
   * aggregate with the final status in one transaction before publishing.
   */
  async #finish (active: ActiveRound): Promise<void> {
    const { announcement, publicKey } = active.round
    const roundId = announcement.roundId
    if (this.#init.store.rounds.get(roundId)?.status === 'open') this.#init.store.rounds.setStatus(roundId, 'closed')
    const contributors = this.#init.store.submissions.contributors(roundId)
    const base: Transcript = {
      federationId: this.#init.federationId,
      roundId,
      aggregator: this.#self,
      status: TRANSCRIPT_STATUS.released,
      contributors: contributors.map(({ client, digest, index }) => ({ client, digest: Uint8Array.from(digest), index })),
      aggregateDigest: new Uint8Array(),
      closedAtMs: this.#now(),
      reason: ''
    }
    let signed: SignedPayload
    if (contributors.length < announcement.minParticipants) {
      const reason = `quorum not met: ${contributors.length} of ${announcement.minParticipants} required contributors`
      signed = await signMessage(this.#components.privateKey, DOMAINS.transcript, WIRE.Transcript, { ...base, status: TRANSCRIPT_STATUS.failed, reason })
      this.#init.store.rounds.saveClosing(roundId, { status: 'failed', signedTranscript: WIRE.SignedPayload.encode(signed), reason })
      this.#init.metrics.roundFailed('quorum')
    } else {
      const aggregate = active.accumulator.value().map(c => rerandomize(publicKey, c))
      for (const c of aggregate) assertCoprimeToModulus(publicKey, c)
      const bytes = encodeCiphertexts(publicKey, aggregate)
      signed = await signMessage(this.#components.privateKey, DOMAINS.transcript, WIRE.Transcript, { ...base, aggregateDigest: Uint8Array.from(ciphertextDigest(bytes)) })
      this.#init.store.rounds.saveClosing(roundId, { status: 'released', signedTranscript: WIRE.SignedPayload.encode(signed), aggregate: bytes })
      this.#init.metrics.roundReleased()
    }
    this.#rounds.delete(roundId)
    this.#log('round %s closed with %d contributors', roundId, contributors.length)
    await this.#init.gossip.publish('transcript', signed).catch(err => { this.#log('publishing transcript failed - %e', err) })
  }

  /** Only the roster coordinator may pull an aggregate, and only once it is released. */
  async #handleAggregate ({ framed, remotePeer, signal }: InboundExchange): Promise<void> {
    this.#init.membership.requireRole(remotePeer, 'coordinator', 'pull aggregate')
    const request = await framed.read(WIRE.AggregateRequest, { signal })
    const record = this.#init.store.rounds.get(request.roundId)
    const closing = record === undefined ? undefined : this.#init.store.rounds.closing(request.roundId)
    const header: Partial<AggregateResponseHeader> = { status: AGGREGATE_STATUS.unknown }
    if (record !== undefined && closing === undefined) header.status = AGGREGATE_STATUS.pending
    if (closing !== undefined) {
      header.transcript = WIRE.SignedPayload.decode(closing.signedTranscript)
      header.status = closing.aggregate === undefined ? AGGREGATE_STATUS.failed : AGGREGATE_STATUS.ready
    }
    const aggregate = closing?.aggregate
    if (aggregate === undefined) {
      await framed.write(WIRE.AggregateResponseHeader, header as AggregateResponseHeader, { signal })
      return
    }
    const signedAnnouncement = WIRE.SignedPayload.decode(record!.signedAnnouncement)
    const { ciphertextWidth, plan } = interpretAnnouncement(WIRE.RoundAnnouncement.decode(signedAnnouncement.payload))
    const chunkCiphertexts = this.#init.chunkCiphertexts
    await framed.write(WIRE.AggregateResponseHeader, {
      ...header,
      ciphertextCount: plan.ciphertexts,
      ciphertextWidth,
      chunkCount: chunkCountFor(plan.ciphertexts, chunkCiphertexts)
    } as AggregateResponseHeader, { signal })
    await sendCiphertexts(framed, Uint8Array.from(aggregate), ciphertextWidth, chunkCiphertexts, signal)
  }

  async #fetchOpenRounds (): Promise<void> {
    const coordinator = this.#init.membership.coordinator()
    if (coordinator === undefined || coordinator === this.#self) return
    const signal = deadline(REQUEST_TIMEOUT_MS)
    const response = await this.#endpoint.request(peerIdFromString(coordinator), 'rounds',
      { signal, maxDataLength: WIRE.OpenRoundsResponse.maxDataLength }, async framed => {
        await framed.write(WIRE.OpenRoundsRequest, {}, { signal })
        return framed.read(WIRE.OpenRoundsResponse, { signal })
      })
    for (const signed of response.announcements) await this.track(signed)
  }
}

export function aggregatorService (init: AggregatorInit): (components: AggregatorComponents) => AggregatorService {
  return components => new AggregatorService(components, init)
}
