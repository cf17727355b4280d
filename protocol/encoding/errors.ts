// Typed errors of the encoding layer: vector specs, value encodings, packing and aggregate checks.
import { FedaggError } from '../errors.ts'

/** A vector spec, encoding string or packing plan is malformed or cannot be packed. */
export class InvalidVectorSpecError extends FedaggError {
  static override name = 'InvalidVectorSpecError'
}

/** A client vector has the wrong number of values, or an aggregate the wrong number of plaintexts or slots. */
export class VectorLengthError extends FedaggError {
  static override name = 'VectorLengthError'
}

/** An `int:<bits>` value is not an integer in [0, 2^bits) (this includes NaN and non-integers). */
export class ValueOutOfRangeError extends FedaggError {
  static override name = 'ValueOutOfRangeError'
  readonly index: number

  constructor (index: number, message: string) {
    super(`value ${index}: ${message}`)
    this.index = index
  }
}

/** A `fixed:<f>` value is NaN or ±Infinity; clipping only applies to finite outliers. */
export class NonFiniteValueError extends FedaggError {
  static override name = 'NonFiniteValueError'
  readonly index: number

  constructor (index: number, got: string) {
    super(`value ${index}: expected a finite number, got ${got}`)
    this.index = index
  }
}

/** The weight is missing for a weighted spec, present for an unweighted one, or not in [1, 2^weightBits). */
export class InvalidWeightError extends FedaggError {
  static override name = 'InvalidWeightError'
}

/** Which check of a decrypted aggregate failed. */
export type AggregateCheck =
  | 'plaintext-range' // a plaintext is negative or has bits above its last slot
  | 'guard-bit' // the top bit of a slot is set: some slot sum overflowed its headroom
  | 'count-range' // count slot > maxParticipants
  | 'weight-range' // weight slot outside [count, count × maxWeight]
  | 'value-range' // value slot > maxValue × (weight sum, or count when unweighted)

/**
 * A decrypted aggregate fails a guard-bit or range check, so at least one
 * contribution was out of range (or more than maxParticipants were folded in)
 * and the sum must not be used. The message names the slot and the check and
 * never a decrypted value: it becomes the round's published reason, and an
 * aggregator that can make a check fail on purpose would otherwise get a
 * victim's value published (multiply its ciphertext by E(guard bit)).
 */
export class CorruptAggregateError extends FedaggError {
  static override name = 'CorruptAggregateError'
  /** Slot index in the unpacked order: values 0..length−1, then count, then weight. */
  readonly slot: number
  readonly check: AggregateCheck

  constructor (slot: number, check: AggregateCheck, message: string) {
    super(`slot ${slot} failed ${check} check: ${message}`)
    this.slot = slot
    this.check = check
  }
}

/**
 * A decrypted aggregate's tag slot is not the sum of the listed contributors' tags: some listed
 * ciphertext is missing, counted twice, from another round, or altered. Names the ciphertext only.
 */
export class TagCheckError extends FedaggError {
  static override name = 'TagCheckError'
  readonly ciphertext: number
  readonly check = 'tag-sum'

  constructor (ciphertext: number) {
    super(`ciphertext ${ciphertext}: tag slot failed tag-sum check: expected the sum of the listed contributors' tags`)
    this.ciphertext = ciphertext
  }
}
