// Typed errors of the Paillier engine: one class per way a key, plaintext or ciphertext can be refused.
import { FedaggError } from '../errors.ts'

/** A modulus shorter than MIN_KEY_BITS was offered or requested. */
export class KeyTooShortError extends FedaggError {
  static override name = 'KeyTooShortError'
}

/** A requested key length is not an integer number of bits (NaN, 2048.5, a string). */
export class InvalidKeyBitsError extends FedaggError {
  static override name = 'InvalidKeyBitsError'
}

/** A modulus longer than MAX_KEY_BITS was offered or requested (refused to bound work done for a peer's key). */
export class KeyTooLongError extends FedaggError {
  static override name = 'KeyTooLongError'
}

/** A public key's parts (n, h_s) fail a structural check. */
export class InvalidPublicKeyError extends FedaggError {
  static override name = 'InvalidPublicKeyError'
}

/**
 * A key's h_s is not the one derived from its n (derived-hs.ts). Refused whatever its order: a key
 * holder who could choose h_s could choose one of small order, and make every encryption under it
 * readable by trial.
 */
export class DerivedHsMismatchError extends FedaggError {
  static override name = 'DerivedHsMismatchError'
}

/** A Paillier–Blum modulus proof (Π^mod) fails a check, or cannot be made for the given primes. */
export class BlumProofError extends FedaggError {
  static override name = 'BlumProofError'
}

/** A private key's primes or public component fail a check. */
export class InvalidPrivateKeyError extends FedaggError {
  static override name = 'InvalidPrivateKeyError'
}

/** A serialized key is not the expected JSON shape (missing field, bad hex, wrong type). */
export class KeyFormatError extends FedaggError {
  static override name = 'KeyFormatError'
}

/** A serialized key carries a `version` this code does not read. */
export class UnsupportedKeyVersionError extends FedaggError {
  static override name = 'UnsupportedKeyVersionError'
}

/** A plaintext is outside [0, n). */
export class PlaintextOutOfRangeError extends FedaggError {
  static override name = 'PlaintextOutOfRangeError'
}

/** Explicit encryption randomness is outside [0, 2^ceil(k/2)). */
export class RandomnessOutOfRangeError extends FedaggError {
  static override name = 'RandomnessOutOfRangeError'
}

/** A ciphertext is outside (0, n²). */
export class CiphertextOutOfRangeError extends FedaggError {
  static override name = 'CiphertextOutOfRangeError'
}

/** An encoded ciphertext (or concatenation of them) has the wrong byte length. */
export class CiphertextWidthError extends FedaggError {
  static override name = 'CiphertextWidthError'
}

/** A ciphertext shares a factor with n, so it is no element of Z*_{n²} and no valid encryption. */
export class CiphertextNotInvertibleError extends FedaggError {
  static override name = 'CiphertextNotInvertibleError'
}
