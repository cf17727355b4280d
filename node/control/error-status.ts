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
 * (NotCoordinatorError, NotClientError) which are 403.
 */
const PATTERNS: Array<[RegExp, number]> = [
  [/NotFound/, 404],
  [/NotStarted|Unavailable|Stopped|Stopping|ShuttingDown/, 503],
  [/^Not[A-Z]|Role|Forbidden|Permission|Ineligible|NotEligible/, 403],
  [/Invalid|Validation|Malformed|OutOfRange|TooLong|TooShort|TooLarge|Mismatch|Unsupported|Refused|^Zod/, 400],
  [/Exists|Duplicate|Conflict|Already|Closed/, 409]
]

/**
 * The HTTP status for an error thrown while serving a request:
 * exact names, then name patterns, then 422 for any other FedaggError (a
 * well-formed request the protocol's state refuses) and 500 for the rest
 * (a bug or an unexpected failure below us).
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
