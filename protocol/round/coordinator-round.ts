// The coordinator's round as plain data: open -> decrypted | failed | corrupt, decided exactly once.
import { RESULT_STATUS, TRANSCRIPT_STATUS } from '../messages/index.ts'
import { roundParameters } from './announcement.ts'
import { checkTagSlots, expectedTagSums } from '../encoding/index.ts'
import type { PackingPlan } from '../encoding/index.ts'
import { equalBytes, transcriptDigest, validateRoundResult, validateTranscript } from './documents.ts'
import { InvalidRoundDocumentError, InvalidRoundStateError, MissingTagKeyError, NotEligibleError, QuorumNotMetError, RoundNotOpenError } from './errors.ts'
import type { AnnouncedRound, RoundParameters } from './announcement.ts'
import type { RoundOutcome, RoundStatus } from './status.ts'
import type { RoundResult, Transcript } from '../messages/index.ts'

/** The coordinator records no `closed` or `released` of its own: it decides an open round in one step (status.ts). */
export type CoordinatorRoundStatus = Extract<RoundStatus, 'open' | RoundOutcome>

/** Plain data, persisted by the node next to the signed announcement. */
export interface CoordinatorRoundState extends RoundParameters {
  status: CoordinatorRoundStatus
  /** Contributors of the decrypted aggregate; 0 until decrypted. */
  contributors: number
  /** When the round was decided; null while open. */
  decidedAtMs: number | null
  /** Why the round failed or is corrupt; '' otherwise. */
  reason: string
  /** transcriptDigest of the transcript the decision was made on; empty when none came. */
  transcriptDigest: Uint8Array<ArrayBuffer>
}

/** Starts the coordinator's state for a round it announced (interpreted once, by createAnnouncement or the store). */
export function openCoordinatorRound (round: AnnouncedRound): CoordinatorRoundState {
  return {
    ...roundParameters(round),
    status: 'open',
    contributors: 0,
    decidedAtMs: null,
    reason: '',
    transcriptDigest: new Uint8Array(0)
  }
}

/**
 * Checks a (verified) transcript belongs to this round: same federation, round and aggregator,
 * every contributor eligible, and a released transcript lists at least minParticipants.
 */
export function checkTranscriptForRound (state: CoordinatorRoundState, transcript: Transcript): void {
  validateTranscript(transcript)
  const mismatch = (field: string, expected: string, got: string): never => {
    throw new InvalidRoundDocumentError(`transcript ${field}: expected ${expected}, got ${got}`)
  }
  if (transcript.federationId !== state.federationId) mismatch('federationId', state.federationId, transcript.federationId)
  if (transcript.roundId !== state.roundId) mismatch('roundId', state.roundId, transcript.roundId)
  if (transcript.aggregator !== state.aggregator) mismatch('aggregator', state.aggregator, transcript.aggregator)
  if (!equalBytes(transcript.announcementHash, state.announcementHash)) mismatch('announcementHash', 'the hash of this round\'s announcement', 'another')
  if (transcript.keyFingerprint !== state.keyFingerprint) mismatch('keyFingerprint', state.keyFingerprint, JSON.stringify(transcript.keyFingerprint.slice(0, 80)))
  const eligible = new Set(state.eligible)
  const stranger = transcript.contributors.find(contribution => !eligible.has(contribution.client))
  if (stranger !== undefined) {
    throw new NotEligibleError(`transcript of round ${state.roundId}: contributor ${stranger.client} was not eligible`)
  }
  if (transcript.status === TRANSCRIPT_STATUS.released && transcript.contributors.length < state.minParticipants) {
    throw new QuorumNotMetError(`transcript of round ${state.roundId}: released with ${transcript.contributors.length} contributors, minParticipants is ${state.minParticipants}`)
  }
}

function requireOpen (state: CoordinatorRoundState, action: string): void {
  if (state.status !== 'open') {
    throw new RoundNotOpenError(`round ${state.roundId}: expected an open round to ${action}, got one already ${state.status}`)
  }
}

export interface DecryptedAggregate {
  /** The verified transcript that came with the aggregate. */
  transcript: Transcript
  /** The count slot of the decrypted aggregate: how many submissions were actually summed. */
  countSlot: number | bigint
  nowMs: number
}

/**
 * Decides an open round as decrypted after the coordinator decrypted and unpacked its aggregate.
 * The count slot must equal the released transcript's contributor count and reach minParticipants;
 * a mismatch means the aggregate is not what the transcript claims (the node then records it
 * corrupt). Throws RoundNotOpenError if the round was already decided: a round is decrypted once.
 */
export function recordDecrypted (state: CoordinatorRoundState, aggregate: DecryptedAggregate): CoordinatorRoundState {
  requireOpen(state, 'record a decryption')
  const { transcript, countSlot, nowMs } = aggregate
  checkTranscriptForRound(state, transcript)
  if (transcript.status !== TRANSCRIPT_STATUS.released) {
    throw new InvalidRoundDocumentError(`transcript of round ${state.roundId}: expected status released, got ${transcript.status}`)
  }
  const listed = transcript.contributors.length
  if (BigInt(countSlot) !== BigInt(listed)) {
    // The slot's value stays out of the message: it is published as the round's reason.
    throw new InvalidRoundDocumentError(`round ${state.roundId}: the count slot failed the count check: it does not equal the transcript's ${listed} contributors`)
  }
  return { ...state, status: 'decrypted', contributors: listed, decidedAtMs: nowMs, transcriptDigest: transcriptDigest(transcript) }
}

/**
 * Checks every tag slot of the decrypted aggregate against Σ t_j over exactly the transcript's
 * contributors, whose tag keys the coordinator stored before they submitted. A contributor without
 * a stored key never completed the tag-key exchange, so its listing is not genuine. Throws
 * MissingTagKeyError or TagCheckError (protocol/encoding), naming an index, never a value.
 */
export function checkAggregateTags (state: CoordinatorRoundState, plan: PackingPlan, transcript: Transcript, plaintexts: readonly bigint[], tagKeys: ReadonlyMap<string, Uint8Array>): void {
  const keys = transcript.contributors.map((contribution, i) => {
    const key = tagKeys.get(contribution.client)
    if (key === undefined) throw new MissingTagKeyError(`round ${state.roundId}: contributor ${i} (${contribution.client}) failed the tag-key check: no tag key was stored for it`)
    return key
  })
  checkTagSlots(plan, plaintexts, expectedTagSums(keys, state.federationId, state.roundId, plan.ciphertexts))
}

function decideUnsuccessfully (state: CoordinatorRoundState, status: 'failed' | 'corrupt', reason: string, nowMs: number, transcript: Transcript | undefined): CoordinatorRoundState {
  requireOpen(state, `mark it ${status}`)
  if (reason.length === 0) throw new InvalidRoundStateError(`round ${state.roundId}: expected a reason to mark it ${status}, got none`)
  return { ...state, status, decidedAtMs: nowMs, reason, ...(transcript === undefined ? {} : { transcriptDigest: transcriptDigest(transcript) }) }
}

/** The round produced no aggregate (aggregator reported failure, quorum not met, no answer after the deadline). */
export function recordFailed (state: CoordinatorRoundState, reason: string, nowMs: number, transcript?: Transcript): CoordinatorRoundState {
  return decideUnsuccessfully(state, 'failed', reason, nowMs, transcript)
}

/** The aggregate decrypted but failed a check (guard bits, slot ranges, count slot, tags, statements); its values are never used. */
export function recordCorrupt (state: CoordinatorRoundState, reason: string, nowMs: number, transcript?: Transcript): CoordinatorRoundState {
  return decideUnsuccessfully(state, 'corrupt', reason, nowMs, transcript)
}

export interface ResultValues {
  /** Exact sums, one per vector element: bigints, or exact decimal strings for fixed encodings. */
  sum: ReadonlyArray<bigint | string>
  /** Means (weighted when the round was weighted), one per element, or none. */
  mean?: readonly number[]
}

/**
 * The RoundResult the coordinator publishes for a decided round, ready for signRoundResult. A
 * decrypted round needs its values; failed and corrupt rounds publish none.
 */
export function buildRoundResult (state: CoordinatorRoundState, values?: ResultValues): RoundResult {
  if (state.status === 'open' || state.decidedAtMs === null) {
    throw new InvalidRoundStateError(`round ${state.roundId}: expected a decided round for a result, got one that is ${state.status}`)
  }
  if ((state.status === 'decrypted') !== (values !== undefined)) {
    throw new InvalidRoundStateError(`round ${state.roundId}: expected values exactly when decrypted, got ${values === undefined ? 'none' : 'some'} for a ${state.status} round`)
  }
  return validateRoundResult({
    federationId: state.federationId,
    roundId: state.roundId,
    status: RESULT_STATUS[state.status],
    contributors: state.contributors,
    sum: (values?.sum ?? []).map(value => value.toString()),
    mean: [...(values?.mean ?? [])],
    reason: state.reason,
    decryptedAtMs: state.decidedAtMs,
    announcementHash: state.announcementHash,
    keyFingerprint: state.keyFingerprint,
    transcriptDigest: state.transcriptDigest
  })
}

/** The fields of a CoordinatorRoundState the node stores next to the signed announcement. */
export type StoredCoordinatorRound = Pick<CoordinatorRoundState, 'status' | 'contributors' | 'decidedAtMs' | 'reason'>

/** Rebuilds a coordinator round after a restart, checking the stored fields agree with each other. */
export function restoreCoordinatorRound (round: AnnouncedRound, stored: StoredCoordinatorRound): CoordinatorRoundState {
  const state: CoordinatorRoundState = { ...openCoordinatorRound(round), ...stored }
  const consistent =
    (state.status === 'open') === (state.decidedAtMs === null) &&
    (state.status === 'decrypted') === (state.contributors > 0) &&
    (state.status === 'failed' || state.status === 'corrupt') === (state.reason.length > 0) &&
    (state.status !== 'decrypted' || (state.contributors >= state.minParticipants && state.contributors <= state.eligible.length))
  if (!consistent) {
    throw new InvalidRoundStateError(`stored round ${state.roundId}: inconsistent status ${state.status}, contributors ${state.contributors}, decidedAtMs ${state.decidedAtMs}, reason ${JSON.stringify(state.reason)}`)
  }
  return state
}
