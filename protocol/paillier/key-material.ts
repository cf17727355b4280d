// Draws DJN key material: primes p, q with p ≡ q ≡ 3 (mod 4) and gcd(p−1, q−1) = 2 (h_s is derived from n: derived-hs.ts).
import { primeSync } from 'bigint-crypto-utils'
import { bitLength, gcd } from './arith.ts'

// Primes come from bigint-crypto-utils' primeSync(), the search (random odd candidates of exactly
// the requested length, trial division, Miller–Rabin) behind the prime() that paillier-bigint's
// own generateRandomKeys() uses. Not prime() itself: it spreads the search over cpus().length − 1
// worker threads, zero on a one-CPU host, where its promise never settles; our search already runs
// in a worker of its own (node/crypto/keygen-worker.ts). On top of it we keep drawing until the
// Damgård–Jurik–Nielsen conditions hold: Blum primes (p ≡ q ≡ 3 mod 4) with gcd(p−1, q−1) = 2, as
// IPCL and HEU require too. Then the group J_n of Jacobi-symbol-1 elements is cyclic of order
// (p−1)(q−1)/2, −1 is in J_n but is no square, and h = −x² has order 2·ord(x²): large except with
// negligible probability.

/** Steps of key generation, reported in this order. */
export type KeyGenerationPhase = 'prime-p' | 'prime-q' | 'hs'

/** The step number of each phase: progress reports it as `done`, so a repeated 'prime-p' stays at 1. */
export const KEY_GENERATION_STEP: Readonly<Record<KeyGenerationPhase, number>> = { 'prime-p': 1, 'prime-q': 2, hs: 3 }

export const KEY_GENERATION_STEPS = 3

export interface DjnPrimes {
  readonly p: bigint
  readonly q: bigint
}

/** A random prime of exactly `bits` bits that is ≡ 3 (mod 4). About two draws of primeSync() on average. */
export function randomBlumPrime (bits: number): bigint {
  for (;;) {
    const candidate = primeSync(bits)
    if ((candidate & 3n) === 3n) return candidate
  }
}

/**
 * Primes p, q of ceil(bits/2) and floor(bits/2) bits with n = p·q of exactly `bits` bits,
 * p ≡ q ≡ 3 (mod 4) and gcd(p − 1, q − 1) = 2. `onPrime` is called after each p drawn (more than
 * once when p is redrawn) and after the accepted q. `drawPrime` is the source of Blum primes of a
 * given length; tests substitute a scripted one.
 */
export function randomDjnPrimes (
  bits: number,
  onPrime: (phase: 'prime-p' | 'prime-q') => void = () => {},
  drawPrime: (bits: number) => bigint = randomBlumPrime
): DjnPrimes {
  for (;;) {
    const p = drawPrime(Math.ceil(bits / 2))
    onPrime('prime-p')
    for (;;) {
      const q = drawPrime(Math.floor(bits / 2))
      // p·q has full length when the leading mantissas x = p/2^(⌈bits/2⌉−1), y = q/2^(⌊bits/2⌋−1),
      // both in [1, 2), have x·y >= 2. For a fixed p that holds with probability 2 − 2/x, near 0 for
      // x near 1, so redrawing only q could take arbitrarily long: redraw both. A pair passes with
      // probability ∫₁² (2 − 2/x) dx = 2 − 2·ln 2 ≈ 0.39, so ~2.6 pairs on average.
      if (bitLength(p * q) !== bits) break
      // gcd(p − 1, q − 1) = 2 holds for about two thirds of pairs (∏ over odd primes ℓ of
      // 1 − 1/(ℓ − 1)²), and for any one p with odds bounded well away from 0, so a new q suffices.
      if (q !== p && gcd(p - 1n, q - 1n) === 2n) {
        onPrime('prime-q')
        return { p, q }
      }
    }
  }
}
