// Typed failures of signing and verifying fedagg documents and of reading peer IDs.
import { FedaggError } from '../errors.ts'

/** The signature does not verify under the signer's key (forged, corrupted or for other bytes). */
export class InvalidSignatureError extends FedaggError {
  static override name = 'InvalidSignatureError'
}

/** A valid signature, but by someone other than the peer the caller requires. */
export class UnexpectedSignerError extends FedaggError {
  static override name = 'UnexpectedSignerError'
}

/** The document claims a different signature domain than the caller expects (e.g. a receipt offered as a roster). */
export class UnexpectedDomainError extends FedaggError {
  static override name = 'UnexpectedDomainError'
}

/** A domain string outside the allowed character set, refused before signing. */
export class InvalidDomainError extends FedaggError {
  static override name = 'InvalidDomainError'
}

/** A string that is not a canonical base58btc Ed25519 peer ID. */
export class InvalidPeerIdError extends FedaggError {
  static override name = 'InvalidPeerIdError'
}

/** A signing key of a type fedagg identities do not use (only Ed25519 peer IDs embed their key). */
export class UnsupportedKeyTypeError extends FedaggError {
  static override name = 'UnsupportedKeyTypeError'
}
