// The fixed:<f> encoding: signed floats clipped to [−C, C], quantized to q = round(x·2^f) and offset by Q = ceil(C·2^f).
//
// Quantization bound: for a clipped value x (|x| <= C), x·2^f is exact in double
// arithmetic (scaling by a power of two, and |x·2^f| <= 2^53) and Math.round moves it
// by at most 1/2, so |q/2^f − x| <= 2^−(f+1). A sum over N clients is therefore
// within N·2^−(f+1) of the sum of the clipped floats, and a weighted sum Σw·q/2^f
// within (Σw)·2^−(f+1) of Σw·x (so a weighted mean is within 2^−(f+1)). The decoded
// result is the exact quantized sum rounded once to the nearest double.
import { NonFiniteValueError } from './errors.ts'
import type { ValueEncoding } from './spec.ts'

export type FixedEncoding = Extract<ValueEncoding, { kind: 'fixed' }>

/** Offset Q = ceil(C·2^f). |round(x·2^f)| <= round(C·2^f) <= Q for |x| <= C, so q + Q is in [0, 2Q]. */
export function fixedOffset (encoding: FixedEncoding): bigint {
  return BigInt(Math.ceil(encoding.clip * 2 ** encoding.fractionBits))
}

/** Largest encoded value: 2Q (q = +Q). */
export function fixedMaxValue (encoding: FixedEncoding): bigint {
  return 2n * fixedOffset(encoding)
}

/** Encodes one float at vector position `index`: clip to [−C, C], q = round(x·2^f), return q + Q. */
export function encodeFixedValue (value: unknown, encoding: FixedEncoding, offset: bigint, index: number): bigint {
  if (typeof value !== 'number') throw new NonFiniteValueError(index, `a ${typeof value}`)
  if (!Number.isFinite(value)) throw new NonFiniteValueError(index, String(value))
  const clipped = Math.min(encoding.clip, Math.max(-encoding.clip, value))
  return BigInt(Math.round(clipped * 2 ** encoding.fractionBits)) + offset
}

/**
 * Decodes a slot sum Σ w·(q + Q) into Σ w·q / 2^f, where `weightSum` is Σ w
 * (the count when unweighted). The subtraction is exact in bigint; the division
 * by 2^f after one rounding to double is exact too (a power of two).
 */
export function decodeFixedSum (slotSum: bigint, weightSum: bigint, offset: bigint, encoding: FixedEncoding): number {
  return Number(slotSum - offset * weightSum) / 2 ** encoding.fractionBits
}
