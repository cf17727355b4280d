// Client role as a libp2p service: follows announcements, encrypts a vector for a round and streams it straight to the aggregator.
import { createHash, randomBytes } from 'node:crypto'
import type { ComponentLogger, Logger, PeerId, PrivateKey, Startable } from '@libp2p/interface'
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal'
import { peerIdFromString } from '@libp2p/peer-id'
import pRetry from 'p-retry'
import { FedaggError } from '../../protocol/errors.ts'
import {
  UnknownRoundError, checkAnnouncementAgainstRoster, contributionVerdict, equalBytes, roundBinding, roundErrorNamed, signSubmissionStatement,
  signTagKey, submissionStatement, tagKeyMessage, transcriptDigest, verifyAnnouncement, verifyReceipt, verifyRoundResult, verifyTranscript
} from '../../protocol/round/index.ts'
import type { AnnouncedRound, ContributionAlarm } from '../../protocol/round/index.ts'
import { TAG_KEY_BYTES, deriveTags, encodeAndPack, withTags } from '../../protocol/encoding/index.ts'
import { RESULT_STATUS, WIRE } from '../../protocol/messages/index.ts'
import type { Receipt, RoundResult, SignedPayload } from '../../protocol/messages/index.ts'
import { encodeCiphertexts } from '../../protocol/paillier/index.ts'
import type { PaillierPublicKey } from '../../protocol/paillier/index.ts'
import type { VectorEncryptor } from '../crypto/vector-encryptor.ts'
import type { FederationGossip } from '../membership/federation-gossip.ts'
import type { Membership } from '../membership/membership.ts'
import type { FedaggMetrics } from '../metrics/metrics.ts'
import type { ClientReceipt, Store } from '../store/index.ts'
import { ciphertextDigest, planCiphertextChunks, sendCiphertexts } from '../streams/ciphertext-transfer.ts'
import { ProtocolEndpoint, deadline } from '../streams/exchange.ts'
import type { StreamLimits } from '../streams/limits.ts'
import { REQUEST_TIMEOUT_MS } from './constants.ts'

/** No open round this client is eligible for (or not the one asked for). */
export class NoOpenRoundError extends FedaggError {
  static override name = 'NoOpenRoundError'
}

/** The aggregator refused the submission; `reason` is the aggregator's typed error name. */
export class SubmissionRefusedError extends FedaggError {
  static override name = 'SubmissionRefusedError'
  readonly reason: string
  /** The round protocol's class for `reason`, to match on; undefined for refusals outside the round protocol. */
  readonly refusal: typeof FedaggError | undefined

  constructor (reason: string, message: string) {
    super(`aggregator refused the submission: ${reason}: ${message}`)
    this.reason = reason
    this.refusal = roundErrorNamed(reason)
  }
}

/** The round's deadline passed before any attempt got a receipt back. */
export class SubmissionDeadlineError extends FedaggError {
  static override name = 'SubmissionDeadlineError'
}

/**
 * The round already has a submission from this client with other values, stored before its first
 * send (by an earlier call, possibly before a crash) and perhaps already counted by the aggregator.
 */
export class SubmissionValuesChangedError extends FedaggError {
  static override name = 'SubmissionValuesChangedError'
}

/**
 * The round was announced with a smaller quorum than this client's own floor
 * (config client.minParticipants): contributing could expose its vector to too few others.
 */
export class QuorumBelowClientFloorError extends FedaggError {
  static override name = 'QuorumBelowClientFloorError'
}

/** The coordinator refused this client's tag key; `reason` is its typed error name. */
export class TagKeyRefusedError extends FedaggError {
  static override name = 'TagKeyRefusedError'
  readonly reason: string

  constructor (reason: string, message: string) {
    super(`coordinator refused the tag key: ${reason}: ${message}`)
    this.reason = reason
  }
}

/** What a client raises when a transcript misrepresents its contribution (see ContributionAlarm). */
export interface ClientAlarm {
  roundId: string
  alarm: ContributionAlarm
  message: string
}

/** The aggregator's receipt does not describe what was sent. */
export class InvalidReceiptError extends FedaggError {
  static override name = 'InvalidReceiptError'
}

export interface SubmitOptions {
  roundId?: string
  weight?: number
  signal?: AbortSignal
}

/** What this client knows about one of its rounds: counted (undefined until known), an alarm, the transcript that listed it, the result. */
interface RoundVerdict {
  counted?: boolean
  alarm?: ContributionAlarm
  listedIn?: Uint8Array
  result?: RoundResult
}

export interface ClientInit {
  federationId: string
  membership: Membership
  gossip: FederationGossip
  store: Store
  metrics: FedaggMetrics
  /** Resolves peer addresses through the coordinator's directory. */
  lookup: (peers: string[], signal: AbortSignal) => Promise<void>
  /** Asks the coordinator for open rounds; their announcements come back through track(). */
  fetchOpenRounds: (signal: AbortSignal) => Promise<SignedPayload[]>
  /** Encrypts packed plaintexts: precomputed noise first, then every core (node/crypto/vector-encryptor.ts). */
  encryptor: VectorEncryptor
  /** Resolves once the key's modulus is proven a Paillier–Blum modulus (key-proof.ts); throws UnprovenKeyError otherwise. */
  ensureKeyProven: (publicKey: PaillierPublicKey, signal?: AbortSignal) => Promise<void>
  /** Ciphertexts per chunk sent, capped at what one CiphertextChunk carries. */
  chunkCiphertexts: number
  /** This client's own quorum floor (config client.minParticipants): rounds announced below it are refused. */
  minParticipants: number
  /** Called for every alarm, e.g. to log it at warn level; the alarm is also counted and kept per round. */
  onAlarm?: (alarm: ClientAlarm) => void
  limits: StreamLimits
  retryMinMs?: number
  retryMaxMs?: number
  now?: () => number
}

export interface ClientComponents {
  peerId: PeerId
  privateKey: PrivateKey
  registrar: Registrar
  connectionManager: ConnectionManager
  logger: ComponentLogger
}

export class ClientService implements Startable {
  readonly #components: ClientComponents
  readonly #init: ClientInit
  readonly #log: Logger
  readonly #endpoint: ProtocolEndpoint
  readonly #now: () => number
  readonly #rounds = new Map<string, AnnouncedRound>()
  readonly #verdicts = new Map<string, RoundVerdict>()
  #stopping = new AbortController()

  constructor (components: ClientComponents, init: ClientInit) {
    this.#components = components
    this.#init = init
    this.#log = components.logger.forComponent('fedagg:client')
    this.#endpoint = new ProtocolEndpoint(components, init.limits, this.#log)
    this.#now = init.now ?? Date.now
  }

  get #self (): string { return this.#components.peerId.toString() }

  async start (): Promise<void> {
    this.#stopping = new AbortController()
    this.#init.gossip.on('announcement', signed => {
      this.track(signed).catch(err => { this.#log('ignored announcement - %e', err) })
    })
    this.#init.gossip.on('transcript', signed => {
      this.#checkTranscript(signed).catch(err => { this.#log('ignored transcript - %e', err) })
    })
    this.#init.gossip.on('result', signed => {
      this.#checkResult(signed).catch(err => { this.#log('ignored result - %e', err) })
    })
  }

  /**
   * Whether this client's contribution is in the round's decrypted sum: the aggregator's transcript
   * lists it under its own digest, and the coordinator's decrypted result names that transcript.
   * False for a failed or corrupt round, or after an alarm; undefined until known.
   */
  wasCounted (roundId: string): boolean | undefined {
    return this.#verdicts.get(roundId)?.counted
  }

  /** The alarm this client raised for the round, if any. */
  alarm (roundId: string): ContributionAlarm | undefined {
    return this.#verdicts.get(roundId)?.alarm
  }

  /**
   * Every client checks what the aggregator's transcript says about it, against its own records
   * (protocol/round contributionVerdict): listed without having submitted, under a digest not its
   * own, or left out although it holds a receipt, it raises an alarm. The signed receipt and
   * statement are the client's proof against the aggregator.
   */
  async #checkTranscript (signed: SignedPayload): Promise<void> {
    const transcript = await verifyTranscript(signed)
    const round = this.#rounds.get(transcript.roundId)
    if (round === undefined || transcript.aggregator !== round.announcement.aggregator) return
    if (!equalBytes(transcript.announcementHash, round.announcementHash) || transcript.keyFingerprint !== round.announcement.keyFingerprint) return
    const { store } = this.#init
    const stored = store.receipts.get(transcript.roundId)
    const receipt = stored === undefined ? undefined : await verifyReceipt(WIRE.SignedPayload.decode(stored.receipt), round.announcement.aggregator)
    const ownDigest = stored?.digest ?? store.outgoing.get(transcript.roundId)?.digest
    const verdict = contributionVerdict(this.#self, transcript, ownDigest, receipt)
    const record = this.#verdict(transcript.roundId)
    if (verdict.kind === 'alarm') {
      this.#raise(transcript.roundId, verdict.alarm)
    } else if (verdict.kind === 'not-counted') {
      record.counted ??= false
    } else {
      record.listedIn = transcriptDigest(transcript)
      if (record.result !== undefined) this.#judgeResult(record, record.result)
    }
  }

  /** A result counts this client only if it is decrypted and names the transcript that listed it. */
  async #checkResult (signed: SignedPayload): Promise<void> {
    const result = await verifyRoundResult(signed, this.#init.membership.coordinator() ?? '')
    const round = this.#rounds.get(result.roundId)
    if (round === undefined) return
    if (!equalBytes(result.announcementHash, round.announcementHash) || result.keyFingerprint !== round.announcement.keyFingerprint) {
      this.#log.error('round %s: the result names another announcement or key; ignored', result.roundId)
      return
    }
    const record = this.#verdict(result.roundId)
    record.result = result
    // A round that was not decrypted counted nobody, whether or not its transcript reached us.
    const submitted = this.#init.store.receipts.get(result.roundId) !== undefined || this.#init.store.outgoing.get(result.roundId) !== undefined
    if (record.listedIn !== undefined || (submitted && result.status !== RESULT_STATUS.decrypted)) this.#judgeResult(record, result)
  }

  #judgeResult (record: RoundVerdict, result: RoundResult): void {
    if (record.alarm !== undefined) return
    record.counted = result.status === RESULT_STATUS.decrypted && record.listedIn !== undefined && equalBytes(result.transcriptDigest, record.listedIn)
  }

  #verdict (roundId: string): RoundVerdict {
    let record = this.#verdicts.get(roundId)
    if (record === undefined) {
      record = {}
      this.#verdicts.set(roundId, record)
    }
    return record
  }

  #raise (roundId: string, alarm: ContributionAlarm): void {
    const record = this.#verdict(roundId)
    if (record.alarm !== undefined) return
    record.alarm = alarm
    record.counted = false
    const message = `round ${roundId}: the aggregator's transcript misrepresents this client's contribution (${alarm})`
    this.#init.metrics.clientAlarm(alarm)
    this.#log.error(message)
    this.#init.onAlarm?.({ roundId, alarm, message })
  }

  stop (): void {
    this.#stopping.abort()
  }

  /** Keeps announcements that are signed by the roster coordinator, fit the roster and name this client as eligible. */
  async track (signed: SignedPayload): Promise<AnnouncedRound | undefined> {
    const { membership } = this.#init
    const round = await verifyAnnouncement(signed, membership.coordinator() ?? '')
    const { announcement } = round
    if (!announcement.eligible.includes(this.#self)) return undefined
    if (membership.roster !== undefined) checkAnnouncementAgainstRoster(announcement, membership.roster)
    this.#rounds.set(announcement.roundId, round)
    // Start the comb and the noise for this key now, while the client still has to train.
    if (round.announcement.deadlineMs > this.#now()) this.#init.encryptor.prepare(round.publicKey, round.plan.ciphertexts)
    return round
  }

  /** Every round this client was announced as eligible for. */
  knownRounds (): AnnouncedRound[] {
    return [...this.#rounds.values()]
  }

  /** Open rounds this client may contribute to, newest first. */
  openRounds (): AnnouncedRound[] {
    const now = this.#now()
    return [...this.#rounds.values()]
      .filter(round => round.announcement.deadlineMs > now)
      .sort((a, b) => b.announcement.openedAtMs - a.announcement.openedAtMs)
  }

  /**
   * Encodes, packs and encrypts `values` once, stores the ciphertexts, then
   * delivers those bytes until a receipt comes back or the round's deadline
   * passes. Resending the identical ciphertexts is what makes retries safe:
   * the aggregator answers a repeat with the original receipt instead of
   * counting it twice. They are stored before the first send because the
   * aggregator may commit them and the receipt be lost with this process: a
   * fresh encryption after a restart would have another digest, which the
   * aggregator refuses as a conflict, while the stored bytes get the
   * original receipt back.
   */
  async submit (values: readonly number[], options: SubmitOptions = {}): Promise<Receipt> {
    const round = await this.#findRound(options.roundId)
    const roundId = round.announcement.roundId
    // Before anything is encrypted, stored or sent: a refused round leaves no trace with any peer.
    if (round.announcement.minParticipants < this.#init.minParticipants) {
      throw new QuorumBelowClientFloorError(`round ${roundId}: announced with minParticipants ${round.announcement.minParticipants}, below this client's floor of ${this.#init.minParticipants} (config client.minParticipants)`)
    }
    const { store } = this.#init
    const existing = store.receipts.get(roundId)
    if (existing !== undefined) return this.#storedReceipt(round, existing)
    const plaintexts = encodeAndPack(round.spec, round.plan, values, options.weight)
    const valuesDigest = plaintextsDigest(plaintexts)
    let outgoing = store.outgoing.get(roundId)
    if (outgoing === undefined) {
      // Nothing is encrypted (so nothing stored or sent) under a key whose n is not proven
      // Paillier–Blum. Stored ciphertexts were encrypted after this check, by an earlier call.
      await this.#init.ensureKeyProven(round.publicKey, options.signal)
      const encrypting = performance.now()
      // A fresh tag key per round: tags of one round say nothing about another's (docs/crypto.md, Tags).
      const tagKey = randomBytes(TAG_KEY_BYTES)
      const tagged = withTags(round.plan, plaintexts, deriveTags(tagKey, round.announcement.federationId, roundId, round.plan.ciphertexts))
      const bytes = await this.#encrypt(round, tagged, options.signal)
      this.#init.metrics.phaseSeconds('encrypt', (performance.now() - encrypting) / 1000)
      // Encrypting can take seconds, long enough for another submit() for this round to finish.
      const settled = store.receipts.get(roundId)
      if (settled !== undefined) return this.#storedReceipt(round, settled)
      outgoing = store.outgoing.keep(roundId, { ciphertexts: bytes, digest: ciphertextDigest(bytes), valuesDigest, tagKey })
    }
    if (Buffer.compare(outgoing.valuesDigest, valuesDigest) !== 0) {
      throw new SubmissionValuesChangedError(`round ${roundId}: this client already stored a submission with other values, which the aggregator may have counted; submit those values again to get its receipt`)
    }
    const { ciphertexts: bytes, digest } = outgoing
    const binding = roundBinding(round)
    const signedTagKey = await signTagKey(this.#components.privateKey, tagKeyMessage(binding, this.#self, outgoing.tagKey))
    const statement = await signSubmissionStatement(this.#components.privateKey, submissionStatement(binding, this.#self, digest))
    let tagKeyStored = false
    const untilDeadline = AbortSignal.any([
      this.#stopping.signal,
      AbortSignal.timeout(Math.max(1, round.announcement.deadlineMs - this.#now())),
      ...(options.signal === undefined ? [] : [options.signal])
    ])
    let receipt: Receipt
    try {
      receipt = await pRetry(async () => {
        // The coordinator must hold the tag key before the aggregator may count the ciphertexts it tags.
        if (!tagKeyStored) tagKeyStored = await this.#sendTagKey(signedTagKey, untilDeadline)
        return this.#deliver(round, bytes, digest, statement, untilDeadline)
      }, {
        retries: Number.POSITIVE_INFINITY,
        minTimeout: this.#init.retryMinMs ?? 200,
        maxTimeout: this.#init.retryMaxMs ?? 5_000,
        signal: untilDeadline,
        shouldRetry: ({ error }) => isWorthRetrying(error),
        onFailedAttempt: ({ error, attemptNumber }) => {
          this.#log('submission attempt %d for %s failed - %s: %s', attemptNumber, roundId, error.name, error.message)
        }
      })
    } catch (err) {
      if (untilDeadline.aborted && !(err instanceof FedaggError)) {
        throw new SubmissionDeadlineError(`round ${roundId}: no receipt before the deadline (${(err as Error).message})`, { cause: err })
      }
      throw err
    }
    return receipt
  }

  async #encrypt (round: AnnouncedRound, plaintexts: bigint[], signal: AbortSignal | undefined): Promise<Uint8Array> {
    const ciphertexts = await this.#init.encryptor.encrypt(round.publicKey, plaintexts, signal)
    return encodeCiphertexts(round.publicKey, ciphertexts)
  }

  async #findRound (roundId: string | undefined): Promise<AnnouncedRound> {
    let round = roundId === undefined ? this.openRounds()[0] : this.#rounds.get(roundId)
    if (round === undefined) {
      const fetched = await this.#init.fetchOpenRounds(deadline(REQUEST_TIMEOUT_MS)).catch((err: Error) => {
        this.#log('fetching open rounds failed - %e', err)
        return []
      })
      await Promise.all(fetched.map(async signed => this.track(signed).catch(err => { this.#log('skipped a fetched announcement - %e', err) })))
      round = roundId === undefined ? this.openRounds()[0] : this.#rounds.get(roundId)
    }
    if (round === undefined) {
      throw new NoOpenRoundError(roundId === undefined ? 'no open round lists this client as eligible' : `round ${roundId} is not open for this client`)
    }
    return round
  }

  /** Sends the signed tag key to the coordinator; true once it answered that the key is stored. */
  async #sendTagKey (signedTagKey: SignedPayload, signal: AbortSignal): Promise<true> {
    const coordinator = this.#init.membership.coordinator()
    if (coordinator === undefined) throw new NoOpenRoundError('no coordinator known to send the tag key to')
    const response = await this.#endpoint.request(peerIdFromString(coordinator), 'tagkey',
      { signal, maxDataLength: WIRE.TagKeyResponse.maxDataLength }, async framed => {
        await framed.write(WIRE.SignedPayload, signedTagKey, { signal })
        return framed.read(WIRE.TagKeyResponse, { signal })
      })
    if (!response.accepted) throw new TagKeyRefusedError(response.errorName || 'UnknownError', response.errorMessage)
    return true
  }

  async #deliver (round: AnnouncedRound, bytes: Uint8Array<ArrayBuffer>, digest: Uint8Array<ArrayBuffer>, statement: SignedPayload, signal: AbortSignal): Promise<Receipt> {
    const { announcement, plan, ciphertextWidth, publicKey } = round
    const aggregator = peerIdFromString(announcement.aggregator)
    if (this.#components.connectionManager.getConnections(aggregator).length === 0) {
      await this.#init.lookup([announcement.aggregator], signal)
    }
    const chunks = planCiphertextChunks(plan.ciphertexts, ciphertextWidth, this.#init.chunkCiphertexts)
    const response = await this.#endpoint.request(aggregator, 'submit',
      { signal, maxDataLength: WIRE.SubmitResponse.maxDataLength }, async framed => {
        await framed.write(WIRE.SubmissionHeader, {
          roundId: announcement.roundId,
          keyFingerprint: publicKey.fingerprint,
          ciphertextCount: plan.ciphertexts,
          ciphertextWidth,
          chunkCount: chunks.length,
          digest,
          statement
        }, { signal })
        await sendCiphertexts(framed, bytes, ciphertextWidth, chunks, signal)
        return framed.read(WIRE.SubmitResponse, { signal })
      })
    this.#init.metrics.bytesSent('submit', bytes.length)
    if (!response.accepted || response.receipt === undefined) {
      throw new SubmissionRefusedError(response.errorName || 'UnknownError', response.errorMessage)
    }
    const receipt = await this.#verifyReceipt(round, response.receipt, digest)
    this.#init.store.outgoing.settle(announcement.roundId, WIRE.SignedPayload.encode(response.receipt), digest)
    return receipt
  }

  async #storedReceipt (round: AnnouncedRound, stored: ClientReceipt): Promise<Receipt> {
    return this.#verifyReceipt(round, WIRE.SignedPayload.decode(stored.receipt), stored.digest)
  }

  /** A receipt counts only if the round's aggregator signed it for exactly our digest. */
  async #verifyReceipt (round: AnnouncedRound, signed: SignedPayload, digest: Uint8Array): Promise<Receipt> {
    const { announcement } = round
    const receipt = await verifyReceipt(signed, announcement.aggregator)
    if (receipt.roundId !== announcement.roundId || receipt.client !== this.#self || Buffer.compare(receipt.digest, digest) !== 0 ||
      !equalBytes(receipt.announcementHash, round.announcementHash) || receipt.keyFingerprint !== announcement.keyFingerprint) {
      throw new InvalidReceiptError(`round ${announcement.roundId}: receipt does not describe this client's submission`)
    }
    return receipt
  }
}

/**
 * Transport failures are worth another try, and so is an aggregator that does not know the round
 * yet: the coordinator signed an announcement naming it, so it missed the announcement, and it
 * fetches open rounds from the coordinator when asked about one it does not know (rate-limited, so
 * a later attempt may be the one that finds it). Every other typed refusal is final. Retries stop
 * at the round's deadline either way.
 */
function isWorthRetrying (error: Error): boolean {
  if (error instanceof SubmissionRefusedError) return error.refusal === UnknownRoundError
  return !(error instanceof InvalidReceiptError || error instanceof TagKeyRefusedError)
}

/**
 * SHA-256 over the packed plaintexts, in decimal and comma-separated. Packing puts the weight and
 * count in their own slots, so equal values and weight give equal digests (an omitted weight packs
 * as its default of 1), and any other vector or weight gives another digest.
 */
function plaintextsDigest (plaintexts: readonly bigint[]): Uint8Array {
  return createHash('sha256').update(plaintexts.join(',')).digest()
}

export function clientService (init: ClientInit): (components: ClientComponents) => ClientService {
  return components => new ClientService(components, init)
}
