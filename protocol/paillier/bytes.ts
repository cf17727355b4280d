// Conversions between non-negative bigints and big-endian bytes (fixed-width or minimal), through hex.
import { Buffer } from 'node:buffer'

// Hex is the fastest bigint <-> bytes bridge in V8: toString(16) and BigInt('0x…') are native, and
// Buffer's hex codec is native too, so no per-byte JavaScript loop runs.

/** Byte length of the minimal big-endian encoding of `value` (0 for 0n). */
export function byteLength (value: bigint): number {
  return value === 0n ? 0 : (value.toString(16).length + 1) >> 1
}

/** Minimal big-endian bytes of a non-negative `value` (empty for 0n). */
export function bigintToMinimalBytes (value: bigint): Uint8Array {
  if (value < 0n) throw new RangeError(`expected a non-negative integer, got ${value}`)
  if (value === 0n) return new Uint8Array(0)
  const hex = value.toString(16)
  return Buffer.from(hex.length % 2 === 0 ? hex : '0' + hex, 'hex')
}

/**
 * Writes `value` as exactly `width` big-endian bytes into `target` at `offset`
 * (a fresh array when no target is given) and returns the target.
 */
export function writeFixedWidth (value: bigint, width: number, target: Uint8Array = new Uint8Array(width), offset = 0): Uint8Array {
  if (value < 0n) throw new RangeError(`expected a non-negative integer, got ${value}`)
  const hex = value === 0n ? '' : value.toString(16)
  if (hex.length > 2 * width) throw new RangeError(`${byteLength(value)}-byte integer does not fit ${width} bytes`)
  Buffer.from(target.buffer, target.byteOffset, target.byteLength).write(hex.padStart(2 * width, '0'), offset, width, 'hex')
  return target
}

/** The non-negative integer whose big-endian bytes are `bytes[offset, offset + length)`. */
export function bytesToBigint (bytes: Uint8Array, offset = 0, length = bytes.byteLength - offset): bigint {
  if (length === 0) return 0n
  return BigInt('0x' + Buffer.from(bytes.buffer, bytes.byteOffset + offset, length).toString('hex'))
}

/** `value` as exactly `width` little-endian bytes (the order the fixed-base comb reads exponents in). */
export function bigintToLittleEndian (value: bigint, width: number): Uint8Array {
  return writeFixedWidth(value, width).reverse()
}

/** The non-negative integer whose little-endian bytes are `bytes`; the reversed copy it makes is zeroed before returning. */
export function littleEndianToBigint (bytes: Uint8Array): bigint {
  // The bytes are an encryption exponent r (encrypt.ts), so the copy must not outlive the call.
  const bigEndian = Uint8Array.from(bytes).reverse()
  try {
    return bytesToBigint(bigEndian)
  } finally {
    bigEndian.fill(0)
  }
}
