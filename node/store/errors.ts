// Typed failures of the node's durable store (node.db): one class per refusal, and the round protocol's classes where the refusal is the same.
import { FedaggError } from '../../protocol/errors.ts'
import { RoundClosedError, SubmissionConflictError, UnknownRoundError } from '../../protocol/round/index.ts'

/** The database was written by a newer fedagg (PRAGMA user_version beyond the migrations we know). */
export class StoreSchemaTooNewError extends FedaggError {
  static override name = 'StoreSchemaTooNewError'
}

/** A caller passed a value the store cannot keep (negative time, empty blob, non-integer version). */
export class InvalidStoreInputError extends FedaggError {
  static override name = 'InvalidStoreInputError'
}

/** A transaction body returned a promise: SQLite transactions here are synchronous and must not span awaits. */
export class AsyncTransactionError extends FedaggError {
  static override name = 'AsyncTransactionError'
}

/** A roster version was offered that is not newer than the latest stored one. */
export class RosterVersionNotNewerError extends FedaggError {
  static override name = 'RosterVersionNotNewerError'
  readonly latest: number
  readonly offered: number

  constructor (latest: number, offered: number) {
    super(`roster: expected a version greater than ${latest}, got ${offered}`)
    this.latest = latest
    this.offered = offered
  }
}

/** The round id is not in the store: the round protocol's UnknownRoundError (one class for one failure), with the store's message. */
export function unknownStoredRound (roundId: string): UnknownRoundError {
  return new UnknownRoundError(`round ${JSON.stringify(roundId)}: expected a stored round, got none`)
}

/** A different signed announcement arrived for a round id already stored. */
export class RoundAnnouncementConflictError extends FedaggError {
  static override name = 'RoundAnnouncementConflictError'
  readonly roundId: string

  constructor (roundId: string) {
    super(`round ${JSON.stringify(roundId)}: expected the stored announcement again, got different bytes`)
    this.roundId = roundId
  }
}

/** A round status change that goes backwards or leaves a terminal state. */
export class IllegalRoundTransitionError extends FedaggError {
  static override name = 'IllegalRoundTransitionError'
  readonly roundId: string
  readonly from: string
  readonly to: string

  constructor (roundId: string, from: string, to: string) {
    super(`round ${JSON.stringify(roundId)}: expected a forward transition from "${from}", got "${from}" -> "${to}"`)
    this.roundId = roundId
    this.from = from
    this.to = to
  }
}

/** Closing artifacts that do not fit the closing status (an aggregate for a failed round, none for a released one). */
export class InvalidClosingError extends FedaggError {
  static override name = 'InvalidClosingError'
}

/** A submission for a round that is no longer (or not) open: the round protocol's RoundClosedError, with the store's message. */
export function roundClosedInStore (roundId: string, status: string): RoundClosedError {
  return new RoundClosedError(`round ${JSON.stringify(roundId)}: expected status "open" to accept a submission, got "${status}"`)
}

/** Different content for a (round, client) that already has a submission: the round protocol's SubmissionConflictError. */
export function submissionConflictInStore (roundId: string, client: string): SubmissionConflictError {
  return new SubmissionConflictError(`submission (${JSON.stringify(roundId)}, ${client}): expected the digest of the stored submission, got a different digest`)
}

/**
 * The digest was already accepted in another round. Encryption is randomized,
 * so an honest client never sends the same ciphertexts twice: this is a
 * submission replayed from an earlier round (by its author or anyone who saw it).
 */
export class SubmissionReplayedStoreError extends FedaggError {
  static override name = 'SubmissionReplayedStoreError'
  readonly roundId: string
  readonly earlierRoundId: string

  constructor (roundId: string, earlierRoundId: string) {
    super(`round ${JSON.stringify(roundId)}: expected fresh ciphertexts, got a submission already accepted in round ${JSON.stringify(earlierRoundId)}`)
    this.roundId = roundId
    this.earlierRoundId = earlierRoundId
  }
}

/** No submission stored for this (round, client). */
export class UnknownSubmissionError extends FedaggError {
  static override name = 'UnknownSubmissionError'
}

/** A result is already recorded for the round: the coordinator never decrypts a round twice. */
export class RoundAlreadyDecryptedError extends FedaggError {
  static override name = 'RoundAlreadyDecryptedError'
  readonly roundId: string

  constructor (roundId: string) {
    super(`round ${JSON.stringify(roundId)}: expected no recorded result, got one already`)
    this.roundId = roundId
  }
}

/** No result recorded for the round. */
export class UnknownResultError extends FedaggError {
  static override name = 'UnknownResultError'
}

/** A client was handed a different receipt (or digest) for a round it already holds a receipt for. */
export class ReceiptConflictError extends FedaggError {
  static override name = 'ReceiptConflictError'
}

/** SQLite would not run in the mode durability depends on (WAL journal). */
export class StoreConfigurationError extends FedaggError {
  static override name = 'StoreConfigurationError'
}

/** A training round's model or outcome is already stored with other content. */
export class TrainingRoundConflictError extends FedaggError {
  static override name = 'TrainingRoundConflictError'
}

/** The client already stored another tag key for this round; the first one stored is the one its ciphertexts carry. */
export class TagKeyConflictStoreError extends FedaggError {
  static override name = 'TagKeyConflictStoreError'
}
