// Typed errors of the fedagg CLI itself (bad arguments, a data directory in the wrong state).
import { FedaggError } from '../../protocol/errors.ts'

/** The command line does not parse: unknown option, missing argument, bad value. */
export class UsageError extends FedaggError {
  static override name = 'UsageError'
}

export class AlreadyInitializedError extends FedaggError {
  static override name = 'AlreadyInitializedError'
}

export class NotInitializedError extends FedaggError {
  static override name = 'NotInitializedError'
}

export class InvalidValuesError extends FedaggError {
  static override name = 'InvalidValuesError'
}

/** `round open` with no --eligible on a roster that has no clients yet. */
export class NoEligibleClientsError extends FedaggError {
  static override name = 'NoEligibleClientsError'
}
