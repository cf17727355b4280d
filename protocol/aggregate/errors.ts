// Typed errors of the homomorphic fold.
import { FedaggError } from '../errors.ts'

/** The accumulator was constructed with a modulus or ciphertext count it cannot use. */
export class InvalidAccumulatorError extends FedaggError {
  static override name = 'InvalidAccumulatorError'
}

/** A submission has a different number of ciphertexts than the round's packing plan. */
export class CiphertextCountError extends FedaggError {
  static override name = 'CiphertextCountError'
}

/**
 * A value handed to the fold is not a ciphertext in (0, n²); it names the index in the
 * submission. (Decoded ciphertexts were range-checked already by the paillier codec; this
 * guards the fold's own contract.)
 */
export class FoldInputError extends FedaggError {
  static override name = 'FoldInputError'
  readonly index: number

  constructor (index: number, message: string) {
    super(`ciphertext ${index}: ${message}`)
    this.index = index
  }
}
