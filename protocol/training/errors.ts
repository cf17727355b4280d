// Typed errors of training sessions: bad settings, models that do not match, and updates for the wrong round.
import { FedaggError } from '../errors.ts'

/** A session setting is out of range; the message names the field. */
export class InvalidSessionSettingsError extends FedaggError {
  static override name = 'InvalidSessionSettingsError'
}

/** A model's parameters do not match its length or hash, or are not finite. */
export class InvalidModelError extends FedaggError {
  static override name = 'InvalidModelError'
}

/** A state change that the session's state machine does not allow (e.g. an outcome for another round). */
export class IllegalSessionTransitionError extends FedaggError {
  static override name = 'IllegalSessionTransitionError'
}
