// The DJN public component h_s derived from n alone, so no key holder can choose it (or give it a small order).
import { Buffer } from 'node:buffer'
import { createHash } from 'node:crypto'
import { gcd } from './arith.ts'
import { bigintToMinimalBytes, bytesToBigint } from './bytes.ts'
import { modPow } from './modpow.ts'

/** Domain label of the derivation; a new derivation gets a new label, never a new meaning for this one. */
export const HS_DERIVATION_LABEL = 'fedagg/hs/v1'

/**
 * Extra output bytes beyond n's length before reducing mod n: the result is then within statistical
 * distance 2^-128 of uniform over [0, n) (the excess of a (len + 16)-byte integer over a multiple of n).
 */
const HS_DERIVATION_EXTRA_BYTES = 16

/**
 * Moduli whose h_s is kept. Deriving costs one modexp with an n-bit exponent mod n² (~25 ms at 2048
 * bits, ~70 ms at 3072 on the dev machine), and a node meets one or two keys; the bound keeps a peer
 * that announces many moduli from growing the cache without limit.
 */
const HS_CACHE_SIZE = 16

const cache = new Map<bigint, bigint>()

/** h_s = h^n mod n² for h = −x² mod n: the DJN public component of a unit x ∈ Z*_n. */
export function publicComponentFromUnit (n: bigint, x: bigint): bigint {
  const h = n - (x * x) % n
  return modPow(h, n, n * n)
}

/**
 * The unit x from which h_s is derived: the first counter = 0, 1, … for which
 * x = SHAKE256("fedagg/hs/v1" ‖ len(n) ‖ n ‖ counter) mod n is nonzero and coprime to n, with len(n)
 * and counter as 4-byte big-endian, n as its minimal big-endian bytes, and byteLength(n) + 16 bytes of
 * output read big-endian. The length prefix makes the input encoding injective. A redraw happens only
 * when x shares a factor with n, i.e. with probability about 2^-1023 for a 2048-bit n, which would
 * reveal that factor to everyone; it exists so the function is total, not because it is expected.
 */
export function hsDerivationUnit (n: bigint): bigint {
  if (n <= 1n || (n & 1n) === 0n) throw new RangeError('hsDerivationUnit: expected an odd modulus n > 1')
  const nBytes = bigintToMinimalBytes(n)
  const prefix = Buffer.alloc(4)
  prefix.writeUInt32BE(nBytes.length)
  for (let counter = 0; ; counter++) {
    const suffix = Buffer.alloc(4)
    suffix.writeUInt32BE(counter)
    const digest = createHash('shake256', { outputLength: nBytes.length + HS_DERIVATION_EXTRA_BYTES })
      .update(HS_DERIVATION_LABEL).update(prefix).update(nBytes).update(suffix).digest()
    const x = bytesToBigint(digest) % n
    if (x !== 0n && gcd(x, n) === 1n) return x
  }
}

/** The h_s every party derives for n (see hsDerivationUnit); cached per modulus in this process. */
export function derivedPublicComponent (n: bigint): bigint {
  const cached = cache.get(n)
  if (cached !== undefined) return cached
  const hs = publicComponentFromUnit(n, hsDerivationUnit(n))
  if (cache.size >= HS_CACHE_SIZE) cache.delete(cache.keys().next().value as bigint)
  cache.set(n, hs)
  return hs
}
