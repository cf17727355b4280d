// Receipts, transcripts and round results: the rules each signed round document obeys, and who signs it.
import { createHash } from 'node:crypto'
import { assertFederationId, assertRoundId, DIGEST_BYTES, DOMAINS, RESULT_STATUS, TRANSCRIPT_STATUS, WIRE } from '../messages/index.ts'
import { defineSignedDocument, parsePeerId } from '../signing/index.ts'
import { MIN_PARTICIPANTS_FLOOR } from './announcement.ts'
import { InvalidRoundDocumentError } from './errors.ts'
import type { Receipt, RoundResult, SignedPayload, Transcript } from '../messages/index.ts'
import type { PeerId, PrivateKey } from '@libp2p/interface'

/** Longest failure reason; reasons are one-line explanations, not logs. */
export const MAX_REASON_LENGTH = 1024
/** Longest exact decimal in RoundResult.sum: far beyond any 8192-bit plaintext (~2467 digits). */
export const MAX_DECIMAL_LENGTH = 4096
/**
 * An exact decimal: an integer sum (int encodings) or a terminating binary fraction (fixed
 * encodings, sum / 2^fractionBits), in canonical form without leading zeros.
 */
export const EXACT_DECIMAL_PATTERN = /^-?(0|[1-9]\d*)(\.\d*[1-9])?$/

function refuse (document: string, field: string, expected: string, got: string | number): never {
  throw new InvalidRoundDocumentError(`${document} ${field}: expected ${expected}, got ${got}`)
}

function checkDigest (document: string, field: string, digest: Uint8Array): void {
  if (digest.length !== DIGEST_BYTES) refuse(document, field, `a ${DIGEST_BYTES}-byte SHA-256 digest`, `${digest.length} bytes`)
}

/** Key fingerprints are SHA-256 of n in lowercase hex (protocol/paillier keyFingerprint). */
export const FINGERPRINT_PATTERN = /^[0-9a-f]{64}$/

/** Every round document names the announcement (by hash) and the key it belongs to. */
function checkBindings (document: string, binding: { announcementHash: Uint8Array, keyFingerprint: string }): void {
  checkDigest(document, 'announcementHash', binding.announcementHash)
  if (!FINGERPRINT_PATTERN.test(binding.keyFingerprint)) refuse(document, 'keyFingerprint', 'a SHA-256 key fingerprint in hex', JSON.stringify(binding.keyFingerprint.slice(0, 80)))
}

function checkTime (document: string, field: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) refuse(document, field, 'a unix time in ms', value)
}

function checkReason (document: string, reason: string, required: boolean): void {
  if (reason.length > MAX_REASON_LENGTH) refuse(document, 'reason', `at most ${MAX_REASON_LENGTH} characters`, reason.length)
  if (required && reason.length === 0) refuse(document, 'reason', 'an explanation of the failure', 'none')
}

export function validateReceipt (receipt: Receipt): Receipt {
  assertFederationId(receipt.federationId)
  assertRoundId(receipt.roundId)
  parsePeerId(receipt.client, 'receipt client')
  parsePeerId(receipt.aggregator, 'receipt aggregator')
  checkDigest('receipt', 'digest', receipt.digest)
  checkBindings('receipt', receipt)
  checkTime('receipt', 'acceptedAtMs', receipt.acceptedAtMs)
  return receipt
}

/**
 * Contributors are listed in acceptance order (contributors[i].index === i), each client once, each
 * with the client's signed statement (verified against the round by verifyContributions).
 * A released transcript carries the aggregate's digest; a failed one carries none and a reason.
 */
export function validateTranscript (transcript: Transcript): Transcript {
  const t = transcript
  assertFederationId(t.federationId)
  assertRoundId(t.roundId)
  parsePeerId(t.aggregator, 'transcript aggregator')
  const released = t.status === TRANSCRIPT_STATUS.released
  if (!released && t.status !== TRANSCRIPT_STATUS.failed) refuse('transcript', 'status', "'released' or 'failed'", JSON.stringify(t.status.slice(0, 40)))
  const seen = new Set<string>()
  t.contributors.forEach((contribution, i) => {
    parsePeerId(contribution.client, `transcript contributors[${i}].client`)
    if (seen.has(contribution.client)) refuse('transcript', `contributors[${i}].client`, 'each client once', contribution.client)
    seen.add(contribution.client)
    checkDigest('transcript', `contributors[${i}].digest`, contribution.digest)
    if (contribution.index !== i) refuse('transcript', `contributors[${i}].index`, `${i} (acceptance order)`, contribution.index)
    if (contribution.statement === undefined) refuse('transcript', `contributors[${i}].statement`, 'the client\'s signed submission statement', 'none')
  })
  checkBindings('transcript', t)
  if (released) {
    checkDigest('transcript', 'aggregateDigest', t.aggregateDigest)
  } else if (t.aggregateDigest.length !== 0) {
    refuse('transcript', 'aggregateDigest', 'none for a failed round', `${t.aggregateDigest.length} bytes`)
  }
  checkTime('transcript', 'closedAtMs', t.closedAtMs)
  checkReason('transcript', t.reason, !released)
  return transcript
}

/**
 * A decrypted result has one exact decimal sum per vector element, optionally one finite mean per
 * element, and at least MIN_PARTICIPANTS_FLOOR contributors; failed and corrupt results carry no values, only a reason.
 */
export function validateRoundResult (result: RoundResult): RoundResult {
  const r = result
  assertFederationId(r.federationId)
  assertRoundId(r.roundId)
  const statuses: string[] = Object.values(RESULT_STATUS)
  if (!statuses.includes(r.status)) refuse('result', 'status', statuses.join(' | '), JSON.stringify(r.status.slice(0, 40)))
  if (r.status === RESULT_STATUS.decrypted) {
    if (r.contributors < MIN_PARTICIPANTS_FLOOR) refuse('result', 'contributors', `at least ${MIN_PARTICIPANTS_FLOOR} for a decrypted round`, r.contributors)
    if (r.sum.length === 0) refuse('result', 'sum', 'one value per vector element', 'none')
    r.sum.forEach((value, i) => {
      if (value.length > MAX_DECIMAL_LENGTH || !EXACT_DECIMAL_PATTERN.test(value)) refuse('result', `sum[${i}]`, 'an exact decimal', JSON.stringify(value.slice(0, 40)))
    })
    if (r.mean.length !== 0 && r.mean.length !== r.sum.length) refuse('result', 'mean', `none or ${r.sum.length} values`, r.mean.length)
    r.mean.forEach((value, i) => {
      if (!Number.isFinite(value)) refuse('result', `mean[${i}]`, 'a finite number', value)
    })
  } else if (r.sum.length !== 0 || r.mean.length !== 0) {
    refuse('result', 'sum/mean', `no values for a ${r.status} round`, `${r.sum.length} sums, ${r.mean.length} means`)
  }
  checkReason('result', r.reason, r.status !== RESULT_STATUS.decrypted)
  checkTime('result', 'decryptedAtMs', r.decryptedAtMs)
  checkBindings('result', r)
  // A decrypted result names the transcript it was checked against; a failed one may have had none.
  if (r.status === RESULT_STATUS.decrypted || r.transcriptDigest.length !== 0) checkDigest('result', 'transcriptDigest', r.transcriptDigest)
  return result
}

const receiptDocument = defineSignedDocument({ domain: DOMAINS.receipt, codec: WIRE.Receipt, validate: validateReceipt, signerOf: receipt => receipt.aggregator })
const transcriptDocument = defineSignedDocument({ domain: DOMAINS.transcript, codec: WIRE.Transcript, validate: validateTranscript, signerOf: transcript => transcript.aggregator })
const resultDocument = defineSignedDocument({ domain: DOMAINS.result, codec: WIRE.RoundResult, validate: validateRoundResult })

/** Signs a receipt (domain 'fedagg/receipt/1'); the key must be the receipt's aggregator's. */
export async function signReceipt (privateKey: PrivateKey, receipt: Receipt): Promise<SignedPayload> {
  return receiptDocument.sign(privateKey, receipt)
}

/** Verifies a receipt signed by the aggregator it names (and by `expectedAggregator`, the round's, when given). */
export async function verifyReceipt (signed: SignedPayload, expectedAggregator?: PeerId | string): Promise<Receipt> {
  return receiptDocument.verify(signed, expectedAggregator)
}

/** Signs a transcript (domain 'fedagg/transcript/1'); the key must be the transcript's aggregator's. */
export async function signTranscript (privateKey: PrivateKey, transcript: Transcript): Promise<SignedPayload> {
  return transcriptDocument.sign(privateKey, transcript)
}

/** Verifies a transcript signed by the aggregator it names (and by `expectedAggregator` when given). */
export async function verifyTranscript (signed: SignedPayload, expectedAggregator?: PeerId | string): Promise<Transcript> {
  return transcriptDocument.verify(signed, expectedAggregator)
}

/** Signs a round result (domain 'fedagg/result/1') with the coordinator's key. */
export async function signRoundResult (privateKey: PrivateKey, result: RoundResult): Promise<SignedPayload> {
  return resultDocument.sign(privateKey, result)
}

/** Verifies a round result; results name no signer, so the roster's coordinator is required. */
export async function verifyRoundResult (signed: SignedPayload, expectedCoordinator: PeerId | string): Promise<RoundResult> {
  return resultDocument.verify(signed, expectedCoordinator)
}

/**
 * SHA-256 of a transcript's protobuf encoding, which a round result names (transcriptDigest).
 * Computed over the decoded content re-encoded (protons encodes canonically), so the coordinator
 * and every client get the same digest from the same transcript.
 */
export function transcriptDigest (transcript: Transcript): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(createHash('sha256').update(WIRE.Transcript.encode(transcript)).digest())
}

/**
 * A client's check that the aggregator listed it: the transcript is a released one for the same
 * round, announcement, key and aggregator, and lists the receipt's client and digest at the
 * receipt's index. Whether the listed aggregate was then decrypted is the round result's to say.
 */
export function wasCounted (transcript: Transcript, receipt: Receipt): boolean {
  const entry = transcript.contributors[receipt.index]
  return transcript.status === TRANSCRIPT_STATUS.released &&
    transcript.federationId === receipt.federationId &&
    transcript.roundId === receipt.roundId &&
    transcript.aggregator === receipt.aggregator &&
    equalBytes(transcript.announcementHash, receipt.announcementHash) &&
    transcript.keyFingerprint === receipt.keyFingerprint &&
    entry !== undefined &&
    entry.client === receipt.client &&
    equalBytes(entry.digest, receipt.digest)
}

/** Byte equality; digests are public, so no constant-time comparison is needed. */
export function equalBytes (a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i])
}

/**
 * What a client's own records say about a transcript that concerns it:
 * - 'omitted': it holds the aggregator's receipt, but a released transcript does not list it there;
 * - 'listed-without-submission': it is listed, but never stored a submission for the round;
 * - 'foreign-digest': it is listed under a digest that is not the one it sent.
 */
export type ContributionAlarm = 'omitted' | 'listed-without-submission' | 'foreign-digest'

export type ContributionVerdict =
  /** Listed under its own digest in a released transcript: counted once the result names this transcript. */
  | { kind: 'listed' }
  /** Not counted, and nothing wrong with that (a failed round, or a submission never acknowledged). */
  | { kind: 'not-counted' }
  | { kind: 'alarm', alarm: ContributionAlarm }

/**
 * The client's check of a verified transcript for one of its rounds. `ownDigest` is the digest of
 * what it stored for the round (undefined if it never submitted); `receipt` the aggregator's
 * receipt, if one came back.
 */
export function contributionVerdict (self: string, transcript: Transcript, ownDigest: Uint8Array | undefined, receipt: Receipt | undefined): ContributionVerdict {
  const entry = transcript.contributors.find(contribution => contribution.client === self)
  if (entry !== undefined && ownDigest === undefined) return { kind: 'alarm', alarm: 'listed-without-submission' }
  if (entry !== undefined && ownDigest !== undefined && !equalBytes(entry.digest, ownDigest)) return { kind: 'alarm', alarm: 'foreign-digest' }
  if (transcript.status !== TRANSCRIPT_STATUS.released) return { kind: 'not-counted' }
  if (receipt !== undefined && !wasCounted(transcript, receipt)) return { kind: 'alarm', alarm: 'omitted' }
  return entry === undefined ? { kind: 'not-counted' } : { kind: 'listed' }
}
