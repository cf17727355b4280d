// The DJN public component h_s derived from n alone, so no key holder can choose it (or give it a small order).
import { bigintToMinimalBytes } from './bytes.ts'
import { hashToUnit } from './hash-to-unit.ts'
import { modPow } from './modpow.ts'

/** Domain label of the derivation; a new derivation gets a new label, never a new meaning for this one. */
export const HS_DERIVATION_LABEL = 'fedagg/hs/v1'

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
 * The unit x from which h_s is derived: hashToUnit("fedagg/hs/v1", [n], n), n as its minimal
 * big-endian bytes. So x = SHAKE256("fedagg/hs/v1" ‖ len(n) ‖ n ‖ counter) mod n for the first
 * counter giving a unit (see hash-to-unit.ts for the encoding and the ~2^-128 bias).
 */
export function hsDerivationUnit (n: bigint): bigint {
  return hashToUnit(HS_DERIVATION_LABEL, [bigintToMinimalBytes(n)], n)
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
