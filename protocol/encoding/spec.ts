// Vector spec: what a round's vectors look like (length, value encoding, participants, weight), as plain data.
import { MAX_FRACTION_BITS, MAX_INT_BITS, MAX_VECTOR_LENGTH, MAX_WEIGHT_BITS } from './constants.ts'
import { InvalidVectorSpecError } from './errors.ts'

/**
 * How one value becomes a non-negative integer slot value. Plain data so it
 * travels in a protobuf message and a config file.
 * - `int`: integers in [0, 2^bits), summed exactly (TFF's `federated_secure_sum(x, bitwidth)`).
 * - `fixed`: signed floats clipped to [−clip, clip] and quantized to multiples of 2^−fractionBits.
 */
export type ValueEncoding =
  | { kind: 'int', bits: number }
  | { kind: 'fixed', fractionBits: number, clip: number }

export interface VectorSpec {
  /** Number of values per client vector. */
  length: number
  encoding: ValueEncoding
  /** Most contributions one aggregate may hold; sizes the carry headroom of every slot. */
  maxParticipants: number
  /** Present => weighted mean: each client sends an integer weight w in [1, 2^weightBits). */
  weightBits?: number
}

// Canonical decimals only (no leading zeros), so formatEncoding(parseEncoding(t)) === t.
const INT_PATTERN = /^int:([1-9]\d{0,2})$/
const FIXED_PATTERN = /^fixed:(0|[1-9]\d{0,2})$/

export interface ParseEncodingOptions {
  /** Clip bound C > 0 for `fixed:<f>` (floats are clipped to [−C, C]); required for fixed. */
  clip?: number
}

/** Parses 'int:32' or 'fixed:16' (with `options.clip`) into a validated ValueEncoding. */
export function parseEncoding (text: string, options: ParseEncodingOptions = {}): ValueEncoding {
  const intMatch = INT_PATTERN.exec(text)
  if (intMatch?.[1] !== undefined) {
    const encoding: ValueEncoding = { kind: 'int', bits: Number(intMatch[1]) }
    validateEncoding(encoding)
    return encoding
  }
  const fixedMatch = FIXED_PATTERN.exec(text)
  if (fixedMatch?.[1] !== undefined) {
    if (options.clip === undefined) {
      throw new InvalidVectorSpecError(`encoding ${JSON.stringify(text)}: expected a clip bound for fixed-point, got none`)
    }
    const encoding: ValueEncoding = { kind: 'fixed', fractionBits: Number(fixedMatch[1]), clip: options.clip }
    validateEncoding(encoding)
    return encoding
  }
  throw new InvalidVectorSpecError(`encoding: expected 'int:<bits>' or 'fixed:<fractionBits>', got ${JSON.stringify(text)}`)
}

/** The text form parseEncoding reads; the clip of a fixed encoding is not part of it. */
export function formatEncoding (encoding: ValueEncoding): string {
  return encoding.kind === 'int' ? `int:${encoding.bits}` : `fixed:${encoding.fractionBits}`
}

/** Throws InvalidVectorSpecError naming the field unless `encoding` is a usable ValueEncoding. */
export function validateEncoding (encoding: ValueEncoding): void {
  if (encoding.kind === 'int') {
    requireInteger('encoding.bits', encoding.bits, 1, MAX_INT_BITS)
  } else if (encoding.kind === 'fixed') {
    requireInteger('encoding.fractionBits', encoding.fractionBits, 0, MAX_FRACTION_BITS)
    const { clip, fractionBits } = encoding
    if (typeof clip !== 'number' || !Number.isFinite(clip) || clip <= 0) {
      throw new InvalidVectorSpecError(`encoding.clip: expected a finite number > 0, got ${String(clip)}`)
    }
    // The offset ceil(C·2^f) must be an exact double so quantization stays exact.
    if (Math.ceil(clip * 2 ** fractionBits) > Number.MAX_SAFE_INTEGER) {
      throw new InvalidVectorSpecError(`encoding.clip: expected clip·2^${fractionBits} <= 2^53 − 1, got clip ${clip}`)
    }
  } else {
    throw new InvalidVectorSpecError(`encoding.kind: expected 'int' or 'fixed', got ${JSON.stringify((encoding as { kind: unknown }).kind)}`)
  }
}

/** Throws InvalidVectorSpecError naming the field unless `spec` is a usable VectorSpec. */
export function validateVectorSpec (spec: VectorSpec): void {
  requireInteger('length', spec.length, 1, MAX_VECTOR_LENGTH)
  if (typeof spec.encoding !== 'object' || spec.encoding === null) {
    throw new InvalidVectorSpecError(`encoding: expected an object, got ${String(spec.encoding)}`)
  }
  validateEncoding(spec.encoding)
  requireInteger('maxParticipants', spec.maxParticipants, 1, Number.MAX_SAFE_INTEGER)
  if (spec.weightBits !== undefined) requireInteger('weightBits', spec.weightBits, 1, MAX_WEIGHT_BITS)
}

function requireInteger (field: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidVectorSpecError(`${field}: expected an integer in [${min}, ${max}], got ${String(value)}`)
  }
}
