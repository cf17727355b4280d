// CSPRNG draws for the Paillier engine: encryption exponents as bytes, and uniform units of Z*_n.
import { randomFillSync } from 'node:crypto'
import { bitLength, gcd } from './arith.ts'
import { bytesToBigint } from './bytes.ts'

/**
 * A fresh exponent uniform over [0, 2^bits), as ceil(bits/8) little-endian bytes (bits above
 * `bits` cleared). Bytes rather than a bigint because the fixed-base comb reads the exponent bit
 * by bit, and because bytes, unlike a bigint, can be zeroed: the caller does so after use. (Where
 * r must become a bigint, for OpenSSL, that copy stays in V8's heap until collected.)
 */
export function randomExponentBytes (bits: number): Uint8Array {
  const bytes = randomFillSync(new Uint8Array(Math.ceil(bits / 8)))
  const spare = bytes.length * 8 - bits
  if (spare > 0) bytes[bytes.length - 1]! &= 0xff >>> spare
  return bytes
}

/** Uniform integer in [0, bound) by rejection sampling on bitLength(bound) random bits. */
export function randomBelow (bound: bigint): bigint {
  if (bound <= 0n) throw new RangeError(`randomBelow: expected a positive bound, got ${bound}`)
  const bits = bitLength(bound)
  const bytes = new Uint8Array(Math.ceil(bits / 8))
  const topMask = 0xff >>> (bytes.length * 8 - bits)
  // Each draw succeeds with probability > 1/2, since bound > 2^(bits-1).
  for (;;) {
    randomFillSync(bytes)
    bytes[0]! &= topMask
    const candidate = bytesToBigint(bytes)
    if (candidate < bound) return candidate
  }
}

/** Uniform element of Z*_n: an integer in [1, n) coprime to n. */
export function randomUnit (n: bigint): bigint {
  for (;;) {
    const x = randomBelow(n)
    if (x !== 0n && gcd(n, x) === 1n) return x
  }
}
