// Draws DJN key material: primes p, q with p ≡ q ≡ 3 (mod 4), gcd(p−1, q−1) = 2, and h_s = (−x²)^n mod n².
import { prime } from 'bigint-crypto-utils'
import { bitLength, gcd } from './arith.ts'
import { modPow } from './modpow.ts'
import { randomUnit } from './random.ts'

// Primes come from bigint-crypto-utils' prime(), the generator paillier-bigint's own
// generateRandomKeys() uses (random odd candidates, trial division, Miller–Rabin, spread over
// worker threads). On top of it we keep drawing until the Damgård–Jurik–Nielsen conditions hold:
// Blum primes (p ≡ q ≡ 3 mod 4) with gcd(p−1, q−1) = 2, as IPCL and HEU require too. Then the
// group J_n of Jacobi-symbol-1 elements is cyclic of order (p−1)(q−1)/2, −1 is in J_n but is no
// square, and h = −x² has order 2·ord(x²): large except with negligible probability.

/** Steps of key generation, reported in this order. */
export type KeyGenerationPhase = 'prime-p' | 'prime-q' | 'hs'

export const KEY_GENERATION_STEPS = 3

export interface DjnPrimes {
  readonly p: bigint
  readonly q: bigint
}

/** A random prime of exactly `bits` bits that is ≡ 3 (mod 4). About two draws of prime() on average. */
export async function randomBlumPrime (bits: number): Promise<bigint> {
  for (;;) {
    const candidate = await prime(bits)
    if ((candidate & 3n) === 3n) return candidate
  }
}

/**
 * Primes p, q of ceil(bits/2) and floor(bits/2) bits with n = p·q of exactly `bits` bits,
 * p ≡ q ≡ 3 (mod 4) and gcd(p − 1, q − 1) = 2. `onPrime` is called after p and after q.
 */
export async function randomDjnPrimes (bits: number, onPrime: (phase: 'prime-p' | 'prime-q') => void = () => {}): Promise<DjnPrimes> {
  const p = await randomBlumPrime(Math.ceil(bits / 2))
  onPrime('prime-p')
  // Only q is redrawn: each draw keeps n at full length with probability ~0.6 and meets the gcd
  // condition with probability ~0.8, so about two q draws suffice.
  for (;;) {
    const q = await randomBlumPrime(Math.floor(bits / 2))
    if (q !== p && bitLength(p * q) === bits && gcd(p - 1n, q - 1n) === 2n) {
      onPrime('prime-q')
      return { p, q }
    }
  }
}

/** h_s = h^n mod n² for h = −x² mod n: the DJN public component derived from x ∈ Z*_n. */
export function publicComponentFromUnit (n: bigint, x: bigint): bigint {
  const h = n - (x * x) % n
  return modPow(h, n, n * n)
}

/** h_s from a fresh uniform x ∈ Z*_n (x itself is discarded: h_s alone is public, x is not needed). */
export function randomPublicComponent (n: bigint): bigint {
  return publicComponentFromUnit(n, randomUnit(n))
}
