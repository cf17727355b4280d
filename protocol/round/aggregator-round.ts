// The aggregator's round as plain data: open -> closed -> released | failed, with every submission refusal typed.
import { AGGREGATE_STATUS, DIGEST_BYTES, TRANSCRIPT_STATUS } from '../messages/index.ts'
import { roundParameters } from './announcement.ts'
import { checkCiphertextShape } from './chunks.ts'
import { equalBytes } from './documents.ts'
import {
  InvalidRoundStateError, NotEligibleError, QuorumNotMetError, RoundClosedError, RoundDeadlinePassedError,
  RoundNotOpenError, SubmissionConflictError, SubmissionShapeError, UnknownRoundError
} from './errors.ts'
import type { AnnouncedRound, RoundParameters } from './announcement.ts'
import type { ExpectedCiphertexts } from './chunks.ts'
import type { RoundStatus } from './status.ts'
import type { AggregateStatus, Receipt, SignedPayload, SubmissionHeader, Transcript } from '../messages/index.ts'

/** The aggregator ends a round released or failed; `decrypted` and `corrupt` are the coordinator's to decide (status.ts). */
export type AggregatorRoundStatus = Extract<RoundStatus, 'open' | 'closed' | 'released' | 'failed'>

/** One accepted submission: what the receipt and the transcript say about it. */
export interface AcceptedSubmission {
  client: string
  /** SHA-256 over the client's concatenated ciphertext bytes. */
  digest: Uint8Array<ArrayBuffer>
  /** Order of acceptance, 0-based; also the position in `submissions`. */
  index: number
  acceptedAtMs: number
  /** The client's signed SubmissionStatement for `digest` (verified by the node before acceptance). */
  statement: SignedPayload
}

/**
 * Everything the aggregator knows about one round, as plain data (strings, numbers, byte arrays,
 * null) so the node can persist the fields and rebuild with restoreAggregatorRound. Functions here
 * never mutate a state; they return a new one.
 */
export interface AggregatorRoundState extends RoundParameters {
  status: AggregatorRoundStatus
  submissions: AcceptedSubmission[]
  /** When the round stopped taking submissions; null while open. */
  closedAtMs: number | null
  /** SHA-256 of the released (re-randomized) aggregate's ciphertext bytes; null unless released. */
  aggregateDigest: Uint8Array<ArrayBuffer> | null
  /** Why the round failed; '' otherwise. */
  reason: string
}

/** Starts the aggregator's state for a verified, interpreted announcement that names this node as aggregator. */
export function openAggregatorRound (round: AnnouncedRound): AggregatorRoundState {
  return {
    ...roundParameters(round),
    status: 'open',
    submissions: [],
    closedAtMs: null,
    aggregateDigest: null,
    reason: ''
  }
}

/** A submission as the aggregator sees it once the header has arrived. */
export interface SubmissionAttempt {
  /** The Noise-authenticated remote peer, never a field the client wrote. */
  client: string
  header: SubmissionHeader
  /** Count and width the round's spec and key imply (computed with protocol/encoding packing). */
  expected: ExpectedCiphertexts
  nowMs: number
}

export type SubmissionCheck =
  | { kind: 'new' }
  /** The same client already submitted identical bytes: answer with its existing receipt. */
  | { kind: 'duplicate', submission: AcceptedSubmission }

/**
 * Decides a submission from its header alone, so the aggregator can refuse before reading any
 * chunk. Order: round id, eligibility, earlier submission (identical -> duplicate even after
 * close, so a client that lost its receipt can fetch it again; different -> conflict), open,
 * deadline, key fingerprint, digest length, ciphertext shape.
 */
export function checkSubmission (state: AggregatorRoundState, attempt: SubmissionAttempt): SubmissionCheck {
  const { client, header, nowMs } = attempt
  if (header.roundId !== state.roundId) {
    throw new UnknownRoundError(`submission: expected round ${state.roundId}, got ${JSON.stringify(header.roundId.slice(0, 130))}`)
  }
  if (!state.eligible.includes(client)) {
    throw new NotEligibleError(`round ${state.roundId}: expected one of the ${state.eligible.length} eligible clients, got ${client}`)
  }
  const earlier = state.submissions.find(submission => submission.client === client)
  if (earlier !== undefined) {
    if (equalBytes(earlier.digest, header.digest)) return { kind: 'duplicate', submission: earlier }
    throw new SubmissionConflictError(`round ${state.roundId}: ${client} already submitted different content (receipt index ${earlier.index}); resends must be identical`)
  }
  if (state.status !== 'open') {
    throw new RoundClosedError(`round ${state.roundId}: expected an open round, got one that is ${state.status}`)
  }
  if (nowMs >= state.deadlineMs) {
    throw new RoundDeadlinePassedError(`round ${state.roundId}: expected a submission before the deadline ${new Date(state.deadlineMs).toISOString()}, got one ${nowMs - state.deadlineMs} ms late`)
  }
  if (header.keyFingerprint !== state.keyFingerprint) {
    throw new SubmissionShapeError(`keyFingerprint: expected ${state.keyFingerprint}, got ${JSON.stringify(header.keyFingerprint.slice(0, 130))}`)
  }
  if (header.digest.length !== DIGEST_BYTES) {
    throw new SubmissionShapeError(`digest: expected ${DIGEST_BYTES} bytes (SHA-256), got ${header.digest.length}`)
  }
  checkCiphertextShape(header, attempt.expected)
  return { kind: 'new' }
}

export type SubmissionOutcome =
  | { kind: 'accepted', state: AggregatorRoundState, submission: AcceptedSubmission }
  | { kind: 'duplicate', state: AggregatorRoundState, submission: AcceptedSubmission }

/**
 * Accepts a fully received submission. `receivedDigest` is the SHA-256 the aggregator computed over
 * the bytes it actually received; it must equal the header's. Every check of checkSubmission runs
 * again, since another stream of the same client or the deadline may have intervened. The node
 * persists the new state's submission before sending the receipt (DESIGN.md, Storage).
 */
export function acceptSubmission (state: AggregatorRoundState, attempt: SubmissionAttempt, receivedDigest: Uint8Array): SubmissionOutcome {
  checkReceivedDigest(state, attempt, receivedDigest)
  const check = checkSubmission(state, attempt)
  if (check.kind === 'duplicate') return { kind: 'duplicate', state, submission: check.submission }
  const { statement } = attempt.header
  if (statement === undefined) throw new SubmissionShapeError(`round ${state.roundId}: expected the client's signed statement in the header, got none`)
  const submission: AcceptedSubmission = {
    client: attempt.client,
    digest: Uint8Array.from(attempt.header.digest),
    index: state.submissions.length,
    acceptedAtMs: attempt.nowMs,
    statement
  }
  return { kind: 'accepted', state: { ...state, submissions: [...state.submissions, submission] }, submission }
}

/** The bytes received must hash to the digest the header (and the client's statement) announced. */
export function checkReceivedDigest (state: AggregatorRoundState, attempt: SubmissionAttempt, receivedDigest: Uint8Array): void {
  if (!equalBytes(receivedDigest, attempt.header.digest)) {
    throw new SubmissionShapeError(`digest: the received ciphertexts hash to a different SHA-256 than the header announced (round ${state.roundId}, client ${attempt.client})`)
  }
}

/** True when an open round must close: its deadline has come, or every eligible client has submitted. */
export function shouldClose (state: AggregatorRoundState, nowMs: number): boolean {
  return state.status === 'open' && (nowMs >= state.deadlineMs || state.submissions.length >= state.eligible.length)
}

function quorumShortfall (state: AggregatorRoundState): string | undefined {
  const count = state.submissions.length
  if (count >= state.minParticipants) return undefined
  return `quorum not met: ${count} of ${state.eligible.length} eligible clients contributed, minParticipants is ${state.minParticipants}`
}

/**
 * Stops taking submissions. With fewer than minParticipants contributors the round fails at once
 * (nothing is ever released); otherwise it is closed and waits for releaseRound.
 */
export function closeRound (state: AggregatorRoundState, nowMs: number): AggregatorRoundState {
  if (state.status !== 'open') {
    throw new RoundNotOpenError(`round ${state.roundId}: expected an open round to close, got one that is ${state.status}`)
  }
  const shortfall = quorumShortfall(state)
  return shortfall === undefined
    ? { ...state, status: 'closed', closedAtMs: nowMs }
    : { ...state, status: 'failed', closedAtMs: nowMs, reason: shortfall }
}

/** Marks a closed round released, with the digest of the re-randomized aggregate it will serve. */
export function releaseRound (state: AggregatorRoundState, aggregateDigest: Uint8Array): AggregatorRoundState {
  if (state.status !== 'closed') {
    throw new InvalidRoundStateError(`round ${state.roundId}: expected a closed round to release, got one that is ${state.status}`)
  }
  const shortfall = quorumShortfall(state)
  if (shortfall !== undefined) throw new QuorumNotMetError(`round ${state.roundId}: ${shortfall}`)
  if (aggregateDigest.length !== DIGEST_BYTES) {
    throw new InvalidRoundStateError(`aggregateDigest: expected ${DIGEST_BYTES} bytes (SHA-256), got ${aggregateDigest.length}`)
  }
  return { ...state, status: 'released', aggregateDigest: Uint8Array.from(aggregateDigest) }
}

/** Fails an open or closed round (e.g. the final aggregate fails its gcd check, or the operator cancels). */
export function failRound (state: AggregatorRoundState, reason: string, nowMs: number): AggregatorRoundState {
  if (state.status !== 'open' && state.status !== 'closed') {
    throw new InvalidRoundStateError(`round ${state.roundId}: expected an open or closed round to fail, got one that is ${state.status}`)
  }
  if (reason.length === 0) throw new InvalidRoundStateError(`round ${state.roundId}: expected a reason for the failure, got none`)
  return { ...state, status: 'failed', closedAtMs: state.closedAtMs ?? nowMs, reason }
}

/** What /fedagg/aggregate/1.0.0 answers for this round ('unknown' is for rounds without a state). */
export function aggregateStatus (state: AggregatorRoundState): AggregateStatus {
  if (state.status === 'released') return AGGREGATE_STATUS.ready
  if (state.status === 'failed') return AGGREGATE_STATUS.failed
  return AGGREGATE_STATUS.pending
}

/** The receipt for an accepted submission, ready for signReceipt. */
export function buildReceipt (state: AggregatorRoundState, submission: AcceptedSubmission): Receipt {
  return {
    federationId: state.federationId,
    roundId: state.roundId,
    client: submission.client,
    aggregator: state.aggregator,
    digest: submission.digest,
    index: submission.index,
    acceptedAtMs: submission.acceptedAtMs,
    announcementHash: state.announcementHash,
    keyFingerprint: state.keyFingerprint
  }
}

/** The transcript of a released or failed round, ready for signTranscript. */
export function buildTranscript (state: AggregatorRoundState): Transcript {
  if (state.status !== 'released' && state.status !== 'failed') {
    throw new InvalidRoundStateError(`round ${state.roundId}: expected a released or failed round for a transcript, got one that is ${state.status}`)
  }
  return {
    federationId: state.federationId,
    roundId: state.roundId,
    aggregator: state.aggregator,
    status: state.status === 'released' ? TRANSCRIPT_STATUS.released : TRANSCRIPT_STATUS.failed,
    contributors: state.submissions.map(({ client, digest, index, statement }) => ({ client, digest, index, statement })),
    aggregateDigest: state.aggregateDigest ?? new Uint8Array(0),
    closedAtMs: state.closedAtMs ?? 0,
    reason: state.reason,
    announcementHash: state.announcementHash,
    keyFingerprint: state.keyFingerprint
  }
}

/** The fields of an AggregatorRoundState the node stores next to the signed announcement. */
export type StoredAggregatorRound = Pick<AggregatorRoundState, 'status' | 'submissions' | 'closedAtMs' | 'aggregateDigest' | 'reason'>

/**
 * Rebuilds a round after a restart from its announcement and stored fields, checking the stored
 * data still obeys the round's invariants (InvalidRoundStateError otherwise): submissions in index
 * order from distinct eligible clients, and status fields consistent with each other.
 */
export function restoreAggregatorRound (round: AnnouncedRound, stored: StoredAggregatorRound): AggregatorRoundState {
  const state: AggregatorRoundState = { ...openAggregatorRound(round), ...stored, submissions: [...stored.submissions] }
  const corrupt = (what: string): never => { throw new InvalidRoundStateError(`stored round ${state.roundId}: ${what}`) }
  const seen = new Set<string>()
  state.submissions.forEach((submission, i) => {
    if (submission.index !== i) corrupt(`submission ${i} has index ${submission.index}`)
    if (!state.eligible.includes(submission.client)) corrupt(`submission ${i} is from ${submission.client}, who is not eligible`)
    if (seen.has(submission.client)) corrupt(`${submission.client} has two submissions`)
    if (submission.digest.length !== DIGEST_BYTES) corrupt(`submission ${i} has a ${submission.digest.length}-byte digest`)
    seen.add(submission.client)
  })
  if ((state.status === 'open') !== (state.closedAtMs === null)) corrupt(`status ${state.status} with closedAtMs ${state.closedAtMs}`)
  if ((state.status === 'released') !== (state.aggregateDigest !== null)) corrupt(`status ${state.status} with${state.aggregateDigest === null ? 'out' : ''} an aggregate digest`)
  if ((state.status === 'failed') !== (state.reason.length > 0)) corrupt(`status ${state.status} with reason ${JSON.stringify(state.reason)}`)
  if (state.status === 'released' || state.status === 'closed') {
    const shortfall = quorumShortfall(state)
    if (shortfall !== undefined) corrupt(`status ${state.status} but ${shortfall}`)
  }
  if (state.aggregateDigest !== null && state.aggregateDigest.length !== DIGEST_BYTES) corrupt(`aggregate digest of ${state.aggregateDigest.length} bytes`)
  return state
}
