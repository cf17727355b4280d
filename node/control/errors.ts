// Typed errors of the control API: its server refusing a request, and its client failing to reach the daemon.
import { FedaggError } from '../../protocol/errors.ts'

export class NonLoopbackHostError extends FedaggError {
  static override name = 'NonLoopbackHostError'
}

export class UnauthorizedError extends FedaggError {
  static override name = 'UnauthorizedError'
}

/** The Host header names something other than loopback: a DNS-rebinding page, not the local operator. */
export class ForbiddenHostError extends FedaggError {
  static override name = 'ForbiddenHostError'
}

export class RequestBodyTooLargeError extends FedaggError {
  static override name = 'RequestBodyTooLargeError'
}

export class InvalidRequestError extends FedaggError {
  static override name = 'InvalidRequestError'
}

export class RouteNotFoundError extends FedaggError {
  static override name = 'RouteNotFoundError'
}

export class MethodNotAllowedError extends FedaggError {
  static override name = 'MethodNotAllowedError'
}

/** The round exists but has no result yet, and the long-poll (if any) ran out. */
export class ResultPendingError extends FedaggError {
  static override name = 'ResultPendingError'
}

/** The node was built without training sessions (a bare FederationNode). */
export class TrainingUnavailableError extends FedaggError {
  static override name = 'TrainingUnavailableError'
}

/** No control.json in the data directory, or nothing answers at its URL. */
export class DaemonNotRunningError extends FedaggError {
  static override name = 'DaemonNotRunningError'
}

/** control.json exists but is not `{ url, token }`. */
export class InvalidControlFileError extends FedaggError {
  static override name = 'InvalidControlFileError'
}

/**
 * An error the daemon answered with. It carries the daemon's own error name
 * (e.g. NotCoordinatorError), so the CLI can print it as if it were local, and
 * the class that name stands for in the control API's error table, so callers
 * match it by class with is().
 */
export class ControlApiError extends FedaggError {
  static override name = 'ControlApiError'
  readonly status: number
  /** The daemon's error class; undefined for an error outside the table (a bug, a library error). */
  readonly remoteClass: (abstract new (...args: never[]) => Error) | undefined

  constructor (remoteName: string, message: string, status: number, remoteClass?: abstract new (...args: never[]) => Error) {
    super(message)
    this.name = remoteName
    this.status = status
    this.remoteClass = remoteClass
  }

  /** Whether the daemon threw an instance of `errorClass` (or of a subclass of it). */
  is (errorClass: abstract new (...args: never[]) => Error): boolean {
    return this.remoteClass !== undefined && (this.remoteClass === errorClass || this.remoteClass.prototype instanceof errorClass)
  }
}
