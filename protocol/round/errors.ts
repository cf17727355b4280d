// Typed refusals of the round protocol; the aggregator sends err.name/err.message back in SubmitResponse.
import { FedaggError } from '../errors.ts'

/** The sender is not among the round's eligible clients (or, on the coordinator, a contributor is not). */
export class NotEligibleError extends FedaggError {
  static override name = 'NotEligibleError'
}

/** The operation needs an open round and this one has moved on (closing twice, deciding a round the coordinator already decided). */
export class RoundNotOpenError extends FedaggError {
  static override name = 'RoundNotOpenError'
}

/** The round has closed (closed, released or failed) and takes no new submissions. */
export class RoundClosedError extends FedaggError {
  static override name = 'RoundClosedError'
}

/** No round with this id is known here (or a message names another round than the state it is applied to). */
export class UnknownRoundError extends FedaggError {
  static override name = 'UnknownRoundError'
}

/** The client already submitted different content to this round; resends must be identical. */
export class SubmissionConflictError extends FedaggError {
  static override name = 'SubmissionConflictError'
}

/** Counts, widths, chunking, digest length or key fingerprint differ from what the round announced. */
export class SubmissionShapeError extends FedaggError {
  static override name = 'SubmissionShapeError'
}

/** Fewer contributors than minParticipants: nothing may be released or decrypted. */
export class QuorumNotMetError extends FedaggError {
  static override name = 'QuorumNotMetError'
}

/** The round is still marked open but its deadline has passed; it is about to close. */
export class RoundDeadlinePassedError extends FedaggError {
  static override name = 'RoundDeadlinePassedError'
}

/** A round announcement breaks a protocol rule (sizes, ids, quorum, times, roster roles). */
export class InvalidAnnouncementError extends FedaggError {
  static override name = 'InvalidAnnouncementError'
}

/** A receipt, transcript or round result breaks a protocol rule, or does not match its round. */
export class InvalidRoundDocumentError extends FedaggError {
  static override name = 'InvalidRoundDocumentError'
}

/** A transition applied in the wrong state, or a stored round that breaks the round's invariants (a caller bug or a corrupted store, never peer input). */
export class InvalidRoundStateError extends FedaggError {
  static override name = 'InvalidRoundStateError'
}

/** The announced key fingerprint is not the SHA-256 of the announced modulus. */
export class KeyFingerprintMismatchError extends FedaggError {
  static override name = 'KeyFingerprintMismatchError'
}

/**
 * A client's signed submission statement is missing, malformed, signed by someone else, or
 * describes another round, announcement, key, client or digest than the one it vouches for.
 */
export class InvalidSubmissionStatementError extends FedaggError {
  static override name = 'InvalidSubmissionStatementError'
}

/** A client's signed tag key is malformed, signed by someone else, or bound to another round, announcement or key. */
export class InvalidTagKeyError extends FedaggError {
  static override name = 'InvalidTagKeyError'
}

/** A transcript lists a contributor whose tag key the coordinator never stored: the aggregate cannot be checked, so it is corrupt. */
export class MissingTagKeyError extends FedaggError {
  static override name = 'MissingTagKeyError'
}

/**
 * The classes above by name, for refusals that crossed the wire as a name (SubmitResponse.errorName):
 * the receiving side rebuilds the class and matches on it, never on the string.
 */
const ROUND_ERRORS_BY_NAME: ReadonlyMap<string, typeof FedaggError> = new Map([
  NotEligibleError, RoundNotOpenError, RoundClosedError, UnknownRoundError, SubmissionConflictError, SubmissionShapeError,
  QuorumNotMetError, RoundDeadlinePassedError, InvalidAnnouncementError, InvalidRoundDocumentError, InvalidRoundStateError,
  KeyFingerprintMismatchError, InvalidSubmissionStatementError, InvalidTagKeyError, MissingTagKeyError
].map(errorClass => [errorClass.name, errorClass]))

/** The round protocol's error class with this name, or undefined for any other name. */
export function roundErrorNamed (name: string): typeof FedaggError | undefined {
  return ROUND_ERRORS_BY_NAME.get(name)
}
