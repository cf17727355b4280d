// Typed failures of building or interpreting a round announcement.
import { FedaggError } from '../errors.ts'

/** An announcement is structurally wrong: missing key or spec, bad counts, deadline before opening. */
export class InvalidAnnouncementError extends FedaggError {
  static override name = 'InvalidAnnouncementError'
}

/** The announced key fingerprint is not the SHA-256 of the announced modulus. */
export class KeyFingerprintMismatchError extends FedaggError {
  static override name = 'KeyFingerprintMismatchError'
}
