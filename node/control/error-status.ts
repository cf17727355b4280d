// Maps an error's name to the HTTP status the control API answers with, so node errors never crash the daemon.
import { FedaggError } from '../../protocol/errors.ts'

/** Names with a fixed status, checked before the name patterns below. */
const EXACT: Record<string, number> = {
  InvalidRequestError: 400,
  UnauthorizedError: 401,
  ForbiddenHostError: 403,
  RouteNotFoundError: 404,
  MethodNotAllowedError: 405,
  ResultPendingError: 409,
  RequestBodyTooLargeError: 413,
  // AbortSignal.timeout() rejects with a DOMException named TimeoutError.
  TimeoutError: 504,
  AbortError: 503
}

/**
 * Patterns over error names, first match wins. Order matters: NotStarted is a
 * 503 although it also starts with "Not", the prefix of the role errors
 * (NotCoordinatorError, NotEligibleError) which are 403.
 */
const PATTERNS: Array<[RegExp, number]> = [
  // What the request names does not exist: UnknownRoundError, UnknownMemberError, RoundNotFoundError.
  [/NotFound|^Unknown/, 404],
  [/NotStarted|Unavailable|Stopped|Stopping|ShuttingDown/, 503],
  // The caller's node lacks the role or standing: NotCoordinatorError, RoleNotHeldError, PeerNotAuthorizedError.
  [/^Not[A-Z]|Role|Forbidden|Permission|NotAuthorized|Ineligible/, 403],
  // The request itself is malformed: InvalidRoundRequestError, ValueOutOfRangeError, VectorLengthError.
  [/^Invalid|Validation|Malformed|OutOfRange|NonFinite|VectorLength|Shape|TooLong|TooShort|TooLarge|Unsupported|^Zod/, 400],
  // Well-formed, but the state refuses it now: DuplicateMemberError, RoundClosedError, StaleRosterError.
  [/Exists|Duplicate|Conflict|Already|Closed|NotOpen|Deadline|Pending|Stale|NotNewer|^Cannot|^No[A-Z]/, 409]
]

/**
 * The HTTP status for an error thrown while serving a request:
 * exact names, then name patterns, then 422 for any other FedaggError (a
 * well-formed request the protocol refuses, e.g. QuorumNotMetError or
 * SubmissionRejectedError) and 500 for the rest (a bug or an unexpected
 * failure below us).
 */
export function statusForError (err: unknown): number {
  const name = err instanceof Error ? err.name : ''
  const exact = EXACT[name]
  if (exact !== undefined) return exact
  for (const [pattern, status] of PATTERNS) {
    if (pattern.test(name)) return status
  }
  return err instanceof FedaggError ? 422 : 500
}
