// Coordinator role as a libp2p service: opens rounds, pulls the released aggregate, decrypts it once, and publishes the result.
import { randomBytes } from 'node:crypto'
import type { ComponentLogger, Logger, PeerId, PrivateKey, Startable } from '@libp2p/interface'
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal'
import { peerIdFromString } from '@libp2p/peer-id'
import pRetry from 'p-retry'
import { FedaggError } from '../../protocol/errors.ts'
import { buildAnnouncement, interpretAnnouncement } from '../../protocol/announcement/index.ts'
import type { AnnouncedRound } from '../../protocol/announcement/index.ts'
import { CorruptAggregateError, decodeAggregate, parseEncoding, unpackAggregate } from '../../protocol/encoding/index.ts'
import type { VectorSpec } from '../../protocol/encoding/index.ts'
import { AGGREGATE_STATUS, DOMAINS, PROTOCOLS, RESULT_STATUS, TRANSCRIPT_STATUS, WIRE } from '../../protocol/messages/index.ts'
import type { RoundResult, SignedPayload, Transcript } from '../../protocol/messages/index.ts'
import { decodeCiphertexts } from '../../protocol/paillier/codec.ts'
import { decrypt } from '../../protocol/paillier/decrypt.ts'
import type { PaillierPrivateKey } from '../../protocol/paillier/keys.ts'
import { openSignedMessage, signMessage } from '../../protocol/signing/index.ts'
import type { OpenRoundRequest } from '../api.ts'
import type { FederationGossip } from '../membership/federation-gossip.ts'
import type { Membership } from '../membership/membership.ts'
import type { FedaggMetrics } from '../metrics/metrics.ts'
import type { ResultStatus, Store } from '../store/index.ts'
import { ciphertextDigest, receiveCiphertexts } from '../streams/ciphertext-transfer.ts'
import { ProtocolEndpoint, deadline } from '../streams/exchange.ts'
import type { StreamLimits } from '../streams/limits.ts'
import { NO_CHECKPOINT } from './checkpoints.ts'
import type { Checkpoint } from './checkpoints.ts'
import { AGGREGATE_POLL_MAX_MS, AGGREGATE_POLL_MIN_MS, REQUEST_TIMEOUT_MS, SMALL_FRAME_BYTES, TRANSFER_TIMEOUT_MS } from './constants.ts'

export class InvalidRoundRequestError extends FedaggError {
  static override name = 'InvalidRoundRequestError'
}

/** The aggregator's transcript or aggregate does not match what it must describe. */
export class TranscriptMismatchError extends FedaggError {
  static override name = 'TranscriptMismatchError'
}

/** The aggregate is not yet released; the coordinator asks again later. */
class AggregatePendingError extends FedaggError {
  static override name = 'AggregatePendingError'
}

export interface CoordinatorInit {
  federationId: string
  membership: Membership
  gossip: FederationGossip
  store: Store
  metrics: FedaggMetrics
  paillierKey: PaillierPrivateKey
  maxChunkCiphertexts: number
  limits: StreamLimits
  /** How long past a round's deadline the coordinator keeps asking for the aggregate. */
  settleGraceMs: number
  now?: () => number
  checkpoint?: Checkpoint
}

export interface CoordinatorComponents {
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
  readonly #settling = new Map<string, Promise<void>>()
  readonly #timers = new Set<NodeJS.Timeout>()
  readonly #resultListeners = new Set<(roundId: string) => void>()
  #stopping = new AbortController()

  constructor (components: CoordinatorComponents, init: CoordinatorInit) {
    this.#components = components
    this.#init = init
    this.#log = components.logger.forComponent('fedagg:coordinator')
    this.#endpoint = new ProtocolEndpoint(components, init.limits, this.#log)
    this.#now = init.now ?? Date.now
    this.#checkpoint = init.checkpoint ?? NO_CHECKPOINT
  }

  async start (): Promise<void> {
    this.#stopping = new AbortController()
    await this.#endpoint.handle('rounds', { timeoutMs: REQUEST_TIMEOUT_MS, maxDataLength: SMALL_FRAME_BYTES }, async ({ framed, remotePeer, signal }) => {
      if (!this.#init.membership.isAdmitted(remotePeer)) {
        this.#init.membership.requireRole(remotePeer, 'client', 'list open rounds')
      }
      await framed.read(WIRE.OpenRoundsRequest, { signal })
      const announcements = this.#init.store.rounds.listByStatus('open')
        .map(record => WIRE.SignedPayload.decode(record.signedAnnouncement))
      await framed.write(WIRE.OpenRoundsResponse, { announcements }, { signal })
    })
    this.#init.gossip.on('transcript', signed => { this.#onTranscript(signed) })
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

  async stop (): Promise<void> {
    this.#stopping.abort()
    for (const timer of this.#timers) clearTimeout(timer)
    this.#timers.clear()
    await Promise.allSettled(this.#settling.values())
    await this.#endpoint.unhandle('rounds')
  }

  onResult (listener: (roundId: string) => void): () => void {
    this.#resultListeners.add(listener)
    return () => this.#resultListeners.delete(listener)
  }

  async openRound (request: OpenRoundRequest): Promise<AnnouncedRound> {
    const membership = this.#init.membership
    const clients = membership.membersWithRole('client')
    const eligible = request.eligible ?? clients
    const notClients = eligible.filter(peer => !clients.includes(peer))
    if (notClients.length > 0) throw new InvalidRoundRequestError(`eligible: not roster clients: ${notClients.join(', ')}`)
    const aggregator = request.aggregator ?? membership.membersWithRole('aggregator')[0]
    if (aggregator === undefined || !membership.hasRole(aggregator, 'aggregator')) {
      throw new InvalidRoundRequestError(`aggregator: expected a roster aggregator, got ${aggregator ?? 'none in the roster'}`)
    }
    const encoding = parseEncoding(request.encoding, request.clip === undefined ? {} : { clip: request.clip })
    const spec: VectorSpec = {
      length: request.length,
      encoding,
      maxParticipants: request.maxParticipants ?? eligible.length,
      ...(request.weightBits === undefined || request.weightBits === 0 ? {} : { weightBits: request.weightBits })
    }
    const openedAtMs = this.#now()
    const round = buildAnnouncement({
      federationId: this.#init.federationId,
      roundId: `r-${openedAtMs}-${randomBytes(4).toString('hex')}`,
      nonce: randomBytes(16),
      aggregator,
      publicKey: this.#init.paillierKey.publicKey,
      spec,
      eligible,
      minParticipants: request.minParticipants,
      deadlineMs: openedAtMs + request.deadlineSeconds * 1000,
      rosterVersion: membership.version,
      openedAtMs
    })
    const signed = await signMessage(this.#components.privateKey, DOMAINS.announcement, WIRE.RoundAnnouncement, round.announcement)
    this.#init.store.rounds.upsertAnnouncement({
      roundId: round.announcement.roundId,
      signedAnnouncement: WIRE.SignedPayload.encode(signed),
      deadlineMs: round.announcement.deadlineMs,
      openedAtMs
    })
    this.#init.metrics.roundOpened()
    await this.#init.gossip.publish('announcement', signed)
    this.#scheduleSettle(round.announcement.roundId, round.announcement.deadlineMs)
    return round
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
    const round = interpretAnnouncement(WIRE.RoundAnnouncement.decode(WIRE.SignedPayload.decode(record.signedAnnouncement).payload))
    const giveUpAt = round.announcement.deadlineMs + this.#init.settleGraceMs
    const result = await pRetry(async () => this.#pull(round), {
      retries: Number.POSITIVE_INFINITY,
      minTimeout: AGGREGATE_POLL_MIN_MS,
      maxTimeout: AGGREGATE_POLL_MAX_MS,
      maxRetryTime: Math.max(0, giveUpAt - this.#now()),
      signal: this.#stopping.signal,
      shouldRetry: ({ error }) => !(error instanceof TranscriptMismatchError)
    }).catch(async (err: Error) => {
      if (this.#stopping.signal.aborted) throw err
      return this.#buildResult(round, RESULT_STATUS.failed, 0, [], [], `no aggregate: ${err.name}: ${err.message}`)
    })
    // record() checks-and-stores in one transaction: a round is decrypted and recorded at most once.
    const stored = this.#init.store.results.record(roundId, WIRE.SignedPayload.encode(result.signed), {
      status: result.status as ResultStatus,
      reason: result.reason
    })
    this.#checkpoint('coordinator:after-record')
    await this.#publishResult(roundId, stored.resultMessage)
  }

  /** One attempt to fetch and decrypt the aggregate; throws AggregatePendingError while it is not released. */
  async #pull (round: AnnouncedRound): Promise<{ signed: SignedPayload, status: RoundResult['status'], reason: string }> {
    const { announcement } = round
    const signal = AbortSignal.any([this.#stopping.signal, deadline(TRANSFER_TIMEOUT_MS)])
    const aggregator = peerIdFromString(announcement.aggregator)
    const pulled = await this.#endpoint.request(aggregator, 'aggregate',
      { signal, maxDataLength: WIRE.AggregateResponseHeader.maxDataLength }, async framed => {
        await framed.write(WIRE.AggregateRequest, { roundId: announcement.roundId }, { signal })
        const header = await framed.read(WIRE.AggregateResponseHeader, { signal })
        if (header.status === AGGREGATE_STATUS.pending || header.status === AGGREGATE_STATUS.unknown || header.transcript === undefined) {
          throw new AggregatePendingError(`round ${announcement.roundId}: aggregator says ${header.status}`)
        }
        const transcript = await this.#verifyTranscript(round, header.transcript)
        if (header.status === AGGREGATE_STATUS.failed) return { transcript, bytes: undefined }
        if (header.ciphertextCount !== round.plan.ciphertexts || header.ciphertextWidth !== round.ciphertextWidth) {
          throw new TranscriptMismatchError(`round ${announcement.roundId}: aggregate has ${header.ciphertextCount} ciphertexts of ${header.ciphertextWidth} bytes, expected ${round.plan.ciphertexts} of ${round.ciphertextWidth}`)
        }
        const bytes = await receiveCiphertexts(framed, {
          ciphertextCount: header.ciphertextCount,
          width: header.ciphertextWidth,
          chunkCount: header.chunkCount,
          maxChunkCiphertexts: this.#init.maxChunkCiphertexts
        }, signal)
        return { transcript, bytes }
      })
    const { transcript, bytes } = pulled
    if (bytes === undefined) {
      return this.#buildResult(round, RESULT_STATUS.failed, transcript.contributors.length, [], [], transcript.reason)
    }
    this.#init.metrics.bytesReceived(PROTOCOLS.aggregate, bytes.length)
    if (Buffer.compare(ciphertextDigest(bytes), transcript.aggregateDigest) !== 0) {
      throw new TranscriptMismatchError(`round ${announcement.roundId}: aggregate bytes do not match the transcript's digest`)
    }
    return this.#decrypt(round, transcript, bytes)
  }

  async #verifyTranscript (round: AnnouncedRound, signed: SignedPayload): Promise<Transcript> {
    const { announcement } = round
    const transcript = await openSignedMessage(signed, DOMAINS.transcript, WIRE.Transcript, announcement.aggregator)
    const clients = transcript.contributors.map(contribution => contribution.client)
    if (transcript.roundId !== announcement.roundId || transcript.federationId !== announcement.federationId ||
      new Set(clients).size !== clients.length || clients.some(client => !announcement.eligible.includes(client))) {
      throw new TranscriptMismatchError(`round ${announcement.roundId}: transcript does not describe this round's eligible clients`)
    }
    if (transcript.status === TRANSCRIPT_STATUS.released && clients.length < announcement.minParticipants) {
      throw new TranscriptMismatchError(`round ${announcement.roundId}: aggregate released with ${clients.length} contributors, below the minimum ${announcement.minParticipants}`)
    }
    return transcript
  }

  /**
   * Decrypts each ciphertext (CRT), unpacks with guard-bit and range checks,
   * and requires the count slot to equal the transcript's contributor count:
   * an aggregator that dropped or duplicated a contribution is caught here.
   */
  async #decrypt (round: AnnouncedRound, transcript: Transcript, bytes: Uint8Array): Promise<{ signed: SignedPayload, status: RoundResult['status'], reason: string }> {
    const key = this.#init.paillierKey
    const plaintexts = decodeCiphertexts(key.publicKey, bytes).map(c => decrypt(key, c))
    const contributors = transcript.contributors.length
    try {
      const decoded = decodeAggregate(round.spec, round.plan, unpackAggregate(round.plan, plaintexts))
      if (decoded.count !== contributors) {
        throw new CorruptAggregateError(round.plan.countSlot, 'count-range', `count slot says ${decoded.count} contributors, transcript lists ${contributors}`)
      }
      this.#init.metrics.decryption('ok')
      return this.#buildResult(round, RESULT_STATUS.decrypted, contributors, decoded.sum.map(String), decoded.mean ?? [], '')
    } catch (err) {
      if (!(err instanceof CorruptAggregateError)) throw err
      this.#init.metrics.decryption('corrupt')
      return this.#buildResult(round, RESULT_STATUS.corrupt, contributors, [], [], err.message)
    }
  }

  async #buildResult (round: AnnouncedRound, status: RoundResult['status'], contributors: number, sum: string[], mean: number[], reason: string): Promise<{ signed: SignedPayload, status: RoundResult['status'], reason: string }> {
    const result: RoundResult = {
      federationId: this.#init.federationId,
      roundId: round.announcement.roundId,
      status,
      contributors,
      sum,
      mean,
      reason,
      decryptedAtMs: this.#now()
    }
    if (status !== RESULT_STATUS.decrypted) this.#init.metrics.roundFailed(status)
    return { signed: await signMessage(this.#components.privateKey, DOMAINS.result, WIRE.RoundResult, result), status, reason }
  }

  async #publishResult (roundId: string, resultMessage: Uint8Array): Promise<void> {
    try {
      await this.#init.gossip.publish('result', WIRE.SignedPayload.decode(resultMessage))
      this.#init.store.results.markPublished(roundId)
    } catch (err) {
      this.#log('publishing result of %s failed; it is retried at the next start - %e', roundId, err)
    }
    for (const listener of this.#resultListeners) listener(roundId)
  }
}

export function coordinatorService (init: CoordinatorInit): (components: CoordinatorComponents) => CoordinatorService {
  return components => new CoordinatorService(components, init)
}

