// Encryption, re-randomization and homomorphic addition in the DJN short-exponent form with g = n + 1.
import { bitLength } from './arith.ts'
import { bigintToLittleEndian, littleEndianToBigint } from './bytes.ts'
import { CiphertextOutOfRangeError, PlaintextOutOfRangeError, RandomnessOutOfRangeError } from './errors.ts'
import { DEFAULT_COMB_SHAPE, FixedBaseComb } from './fixed-base.ts'
import type { CombTableOptions } from './fixed-base.ts'
import type { PaillierPublicKey } from './keys.ts'
import { FixedBasePow } from './modpow.ts'
import { randomExponentBytes } from './random.ts'

// E(m) = (1 + m·n) · h_s^r mod n², r uniform over [0, 2^⌈k/2⌉) (Damgård–Jurik–Nielsen, as in IPCL
// and HEU). (1 + n)^m = 1 + m·n mod n² by the binomial theorem, so g^m costs one product, and the
// randomizer h_s^r needs a k/2-bit exponent where textbook Paillier's r^n needs a k-bit one; with
// the precomputed comb (fixed-base.ts) it is 89 products instead of ~3k/2 at 2048 bits.

const combs = new WeakMap<PaillierPublicKey, FixedBaseComb>()
const nativePowers = new WeakMap<PaillierPublicKey, FixedBasePow>()

/** Bit length of the encryption randomness r: ⌈k/2⌉ for a k-bit n. */
export function randomnessBits (publicKey: PaillierPublicKey): number {
  return Math.ceil(publicKey.bits / 2)
}

/**
 * The comb for h_s under this key object, made on first use and cached for the key object's life
 * (default shape: ~34 MB and ~1.3 s at 2048 bits, ~50 MB and ~2.4 s at 3072; see fixed-base.ts).
 * This blocks the calling thread while it builds: encrypt many values through EncryptionPool.
 * The options apply to that first call only: build the table into shared memory, or adopt the
 * `table` of another thread's comb for this key (RangeError if it does not fit the key).
 */
export function encryptionComb (publicKey: PaillierPublicKey, options: CombTableOptions = {}): FixedBaseComb {
  let comb = combs.get(publicKey)
  if (comb === undefined) {
    comb = new FixedBaseComb(publicKey.hs, publicKey.nSquared, randomnessBits(publicKey), DEFAULT_COMB_SHAPE, options)
    combs.set(publicKey, comb)
  }
  return comb
}

/** E(m) with fresh randomness: 0 <= m < n, else PlaintextOutOfRangeError. */
export function encrypt (publicKey: PaillierPublicKey, m: bigint): bigint {
  assertPlaintext(publicKey, m)
  return withPlaintext(publicKey, m, freshRandomizer(publicKey))
}

/**
 * The offline half of an encryption: the randomizer h_s^r mod n² for a fresh r from the CSPRNG,
 * through the comb (~89 products mod n² at 2048 bits). It does not depend on the plaintext, so a
 * client can compute it before it knows its values; encryptWithRandomizer then finishes E(m) in one
 * product. Each randomizer may be used for one ciphertext only: two ciphertexts sharing one give
 * c₁/c₂ = (1 + (m₁ − m₂)·n), i.e. the difference of their plaintexts, to anyone.
 */
export function freshRandomizer (publicKey: PaillierPublicKey): bigint {
  const r = randomExponentBytes(randomnessBits(publicKey))
  try {
    return encryptionComb(publicKey).pow(r)
  } finally {
    r.fill(0)
  }
}

/**
 * The online half of an encryption: E(m) = (1 + m·n) · h_s^r mod n² from a randomizer made by
 * freshRandomizer (0 <= m < n, else PlaintextOutOfRangeError; 0 < randomizer < n², else
 * RandomnessOutOfRangeError). One product modulo n instead of the comb's ~89 modulo n². The caller
 * must never pass the same randomizer twice (see freshRandomizer).
 */
export function encryptWithRandomizer (publicKey: PaillierPublicKey, m: bigint, randomizer: bigint): bigint {
  assertPlaintext(publicKey, m)
  if (typeof randomizer !== 'bigint' || randomizer <= 0n || randomizer >= publicKey.nSquared) {
    throw new RandomnessOutOfRangeError(`expected a randomizer in (0, n²) for a ${publicKey.bits}-bit n, got ${describe(randomizer)}`)
  }
  return withPlaintext(publicKey, m, randomizer)
}

/**
 * E(m) with h_s^r from one native exponentiation (~4.5 ms at 2048 bits, ~13 ms at 3072) instead of
 * the comb: for up to a few hundred ciphertexts, below which building the comb (~1.3 s, ~34 MB at
 * 2048 bits) costs more than it saves.
 */
export function encryptOneOff (publicKey: PaillierPublicKey, m: bigint): bigint {
  assertPlaintext(publicKey, m)
  return withPlaintext(publicKey, m, nativeRandomizer(publicKey))
}

/**
 * E(m) with caller-chosen randomness r ∈ [0, 2^⌈k/2⌉): the same computation as encrypt, exposed
 * for known-answer tests. Reusing an r across ciphertexts leaks plaintext differences; never do
 * it outside tests.
 */
export function encryptWithRandomness (publicKey: PaillierPublicKey, m: bigint, r: bigint): bigint {
  assertPlaintext(publicKey, m)
  assertRandomness(publicKey, r)
  const comb = encryptionComb(publicKey)
  return withPlaintext(publicKey, m, comb.pow(bigintToLittleEndian(r, comb.exponentBytes)))
}

/**
 * c · E(0) mod n² with fresh randomness: decrypts like c, but is unlinkable to it. Like
 * encryptOneOff it skips the comb: the aggregator runs this once per round.
 */
export function rerandomize (publicKey: PaillierPublicKey, c: bigint): bigint {
  assertCiphertext(publicKey, c)
  return c * nativeRandomizer(publicKey) % publicKey.nSquared
}

/** rerandomize with caller-chosen r, for tests: equals c · encryptWithRandomness(pk, 0, r) mod n². */
export function rerandomizeWithRandomness (publicKey: PaillierPublicKey, c: bigint, r: bigint): bigint {
  assertCiphertext(publicKey, c)
  assertRandomness(publicKey, r)
  return c * nativePower(publicKey).pow(r) % publicKey.nSquared
}

/** E(a) · E(b) mod n² = E(a + b mod n): the aggregator's homomorphic addition. */
export function addCiphertexts (publicKey: PaillierPublicKey, a: bigint, b: bigint): bigint {
  assertCiphertext(publicKey, a)
  assertCiphertext(publicKey, b)
  return a * b % publicKey.nSquared
}

// h_s^r for a fresh r by one OpenSSL exponentiation (constant time in r). The bytes of r, their
// reversed copy and the context's copy are zeroed afterwards (bytes.ts, modpow.ts); the bigint r
// and the hex strings on the way are V8 heap values that cannot be wiped.
function nativeRandomizer (publicKey: PaillierPublicKey): bigint {
  const r = randomExponentBytes(randomnessBits(publicKey))
  try {
    return nativePower(publicKey).pow(littleEndianToBigint(r))
  } finally {
    r.fill(0)
  }
}

// One OpenSSL context per key object: creating it costs a primality test of n² (~17 ms at 2048 bits).
function nativePower (publicKey: PaillierPublicKey): FixedBasePow {
  let power = nativePowers.get(publicKey)
  if (power === undefined) {
    power = new FixedBasePow(publicKey.hs, publicKey.nSquared)
    nativePowers.set(publicKey, power)
  }
  return power
}

// (1 + m·n)·x ≡ x + n·(m·x mod n) (mod n²), since m·n·x mod n² = n·(m·x mod n). That is a product
// modulo n (half the width) instead of a full product modulo n², and the sum is below 2n², so one
// conditional subtraction reduces it.
function withPlaintext (publicKey: PaillierPublicKey, m: bigint, randomizer: bigint): bigint {
  const { n, nSquared } = publicKey
  const c = randomizer + n * (m * (randomizer % n) % n)
  return c >= nSquared ? c - nSquared : c
}

function assertPlaintext (publicKey: PaillierPublicKey, m: bigint): void {
  if (typeof m !== 'bigint' || m < 0n || m >= publicKey.n) {
    throw new PlaintextOutOfRangeError(`expected a plaintext in [0, n) for a ${publicKey.bits}-bit n, got ${describe(m)}`)
  }
}

/** Throws CiphertextOutOfRangeError unless 0 < c < n². */
export function assertCiphertext (publicKey: PaillierPublicKey, c: bigint): void {
  if (typeof c !== 'bigint' || c <= 0n || c >= publicKey.nSquared) {
    throw new CiphertextOutOfRangeError(`expected a ciphertext in (0, n²) for a ${publicKey.bits}-bit n, got ${describe(c)}`)
  }
}

function assertRandomness (publicKey: PaillierPublicKey, r: bigint): void {
  const bits = randomnessBits(publicKey)
  if (typeof r !== 'bigint' || r < 0n || r >= 1n << BigInt(bits)) {
    throw new RandomnessOutOfRangeError(`expected randomness in [0, 2^${bits}), got ${describe(r)}`)
  }
}

// Names a bad value without printing a 600-digit number into an error message.
function describe (value: unknown): string {
  if (typeof value !== 'bigint') return typeof value
  if (value < 0n) return 'a negative number'
  return value === 0n ? '0' : `a ${bitLength(value)}-bit number`
}
