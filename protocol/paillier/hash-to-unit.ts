// Hashing public data to a unit of Z*_n: the derivation behind h_s and the Fiat–Shamir challenges of the modulus proof.
import { Buffer } from 'node:buffer'
import { createHash } from 'node:crypto'
import { gcd } from './arith.ts'
import { byteLength, bytesToBigint } from './bytes.ts'

/**
 * Extra output bytes beyond n's length before reducing mod n: the result is then within statistical
 * distance 2^-128 of uniform over [0, n) (the excess of a (len + 16)-byte integer over a multiple of n).
 */
const EXTRA_BYTES = 16

function uint32 (value: number): Buffer {
  const bytes = Buffer.alloc(4)
  bytes.writeUInt32BE(value)
  return bytes
}

/**
 * The first x = SHAKE256(label ‖ len(part₁) ‖ part₁ ‖ … ‖ len(part_k) ‖ part_k ‖ counter) mod n, for
 * counter = 0, 1, …, that is nonzero, coprime to n and accepted by `accept`; lengths and counter are
 * 4-byte big-endian, and byteLength(n) + 16 bytes of output are read big-endian. The length prefixes
 * make the input encoding injective, so distinct (label, parts) never share a preimage. A unit is
 * missed only when x shares a factor with n (probability about 2^-1023 for a 2048-bit Blum n, and
 * it would reveal that factor); the counter makes the function total, and lets `accept` ask for
 * more (a Jacobi symbol, say).
 */
export function hashToUnit (label: string, parts: readonly Uint8Array[], n: bigint, accept: (x: bigint) => boolean = () => true): bigint {
  if (n <= 1n || (n & 1n) === 0n) throw new RangeError('hashToUnit: expected an odd modulus n > 1')
  const outputLength = byteLength(n) + EXTRA_BYTES
  const prefix = createHash('shake256').update(label)
  for (const part of parts) prefix.update(uint32(part.byteLength)).update(part)
  for (let counter = 0; ; counter++) {
    const x = bytesToBigint(prefix.copy({ outputLength }).update(uint32(counter)).digest()) % n
    if (x !== 0n && gcd(x, n) === 1n && accept(x)) return x
  }
}
