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

/** A ciphertext is not in (0, n²); it names the ciphertext's index in the submission. */
export class CiphertextOutOfRangeError extends FedaggError {
  static override name = 'CiphertextOutOfRangeError'
  readonly index: number

  constructor (index: number, message: string) {
    super(`ciphertext ${index}: ${message}`)
    this.index = index
  }
}
