// Modular exponentiation through OpenSSL (node:crypto): ~8x faster than BigInt square-and-multiply at our sizes.
import { createDiffieHellman } from 'node:crypto'
import type { DiffieHellman } from 'node:crypto'
import { modInverse } from './arith.ts'
import { bigintToMinimalBytes, bytesToBigint } from './bytes.ts'
import { randomUnit } from './random.ts'

// JavaScript's BigInt has no modPow. Node's DiffieHellman object computes g^x mod p (generateKeys,
// for its generator g and private key x) and y^x mod p (computeSecret, for a peer value y) with
// OpenSSL's constant-time fixed-window Montgomery exponentiation, and it works for any odd modulus,
// prime or not: p², q² and n² included. Measured on the 2-core Xeon dev machine for one CRT half
// of a 2048-bit decryption (2048-bit p², 1024-bit exponent p − 1; `npm run bench:crypto`):
//   BigInt square-and-multiply ~9 ms, BigInt sliding window (w = 5) ~7 ms, OpenSSL ~1.2 ms.
// Creating the object is not free: Node runs OpenSSL's DH_check on the modulus, a primality test
// that a random number fails at once by trial division but p², q² and n² (no small factors) only
// after a Miller–Rabin round: ~2.3 ms for p², ~17 ms for n². So each use keeps the object it
// needs: FixedExponentPow one per (exponent, modulus), for decryption; FixedBasePow one per
// (base, modulus), for encryptions without the comb (h_s^r mod n²: ~4.5 ms instead of ~21 ms at
// 2048 bits); modPow builds one per call, for one-off work (key checks, key generation).
// OpenSSL refuses the bases 0, 1 and modulus − 1 (handled directly below) and even moduli
// (refused), and it refuses to output 0, and from computeSecret also 1 and modulus − 1 (the
// SP 800-56A checks on a DH shared secret). Decryption meets 1 all the time: c^(p−1) ≡ 1 (mod p²)
// whenever m ≡ 0 (mod p). So FixedExponentPow blinds: with a secret random unit k and
// K = k^exponent it computes (x·k)^exponent · K⁻¹ = x^exponent, and OpenSSL sees 1 or −1 only if
// x^exponent ≡ ±K⁻¹, with negligible probability even for chosen x. A refused output is recomputed
// in BigInt and accepted only if it is one of those three values; any other failure is rethrown.

/** base^exponent mod modulus, for an odd modulus > 1 and an exponent >= 0 (one-off: see FixedBasePow, FixedExponentPow). */
export function modPow (base: bigint, exponent: bigint, modulus: bigint): bigint {
  assertArguments(exponent, modulus)
  const reduced = reduce(base, modulus)
  return trivialPower(reduced, exponent, modulus) ?? new FixedBasePow(reduced, modulus).pow(exponent)
}

// The private key a FixedBasePow context holds between calls: 1, with the public value set to the
// base itself (base^1), so no exponent pow() was given, nor its power, stays in the context.
const RESTING_EXPONENT = Uint8Array.of(1)

/**
 * e ↦ base^e mod modulus with one OpenSSL context (generator = base), built (and DH_check paid) once.
 * The exponent is secret when encrypting (e = r), so pow leaves no trace of it in the context.
 */
export class FixedBasePow {
  readonly base: bigint
  readonly modulus: bigint
  readonly #dh: DiffieHellman
  readonly #baseBytes: Uint8Array

  /** Needs 1 < base < modulus − 1, the generators OpenSSL accepts. */
  constructor (base: bigint, modulus: bigint) {
    assertArguments(0n, modulus)
    if (base <= 1n || base >= modulus - 1n) throw new RangeError('FixedBasePow: expected 1 < base < modulus − 1')
    this.base = base
    this.modulus = modulus
    this.#baseBytes = bigintToMinimalBytes(base)
    this.#dh = createDiffieHellman(bigintToMinimalBytes(modulus), this.#baseBytes)
  }

  pow (exponent: bigint): bigint {
    assertArguments(exponent, this.modulus)
    if (exponent === 0n) return 1n
    const exponentBytes = bigintToMinimalBytes(exponent)
    let output: Uint8Array | undefined
    try {
      // generateKeys() derives the public value from whatever private key is set, every call.
      this.#dh.setPrivateKey(exponentBytes)
      output = this.#dh.generateKeys()
      return bytesToBigint(output)
    } catch (err) {
      return recoverRefusedOutput(err, this.base, exponent, this.modulus)
    } finally {
      // The context is cached per key (encrypt.ts), so it would otherwise keep the last exponent as
      // its private key and base^exponent as its public value until the next call. Overwriting both
      // makes OpenSSL free the old ones with BN_clear_free (DH_set0_key). setPublicKey rather than
      // generateKeys() for the public value: ~30 µs instead of ~270 µs modulo a 2048-bit key's n²,
      // which left pow() 0.1 % slower than without the reset (2.9 ms; 0.3 % of 9.2 ms at 3072 bits).
      // Our byte copies are zeroed too. The bigint `exponent` and the hex strings that
      // bigintToMinimalBytes and bytesToBigint pass through live in V8's heap: they cannot be wiped.
      this.#dh.setPrivateKey(RESTING_EXPONENT)
      this.#dh.setPublicKey(this.#baseBytes)
      exponentBytes.fill(0)
      output?.fill(0)
    }
  }
}

// computeSecret refuses moduli below 512 bits (OpenSSL's DH_MIN_MODULUS_BITS); ours are >= 2048.
const MIN_CONTEXT_MODULUS_BITS = 512

/** x ↦ x^exponent mod modulus (odd, >= 512 bits) with one OpenSSL context, built (and DH_check paid) once. */
export class FixedExponentPow {
  readonly exponent: bigint
  readonly modulus: bigint
  readonly #dh: DiffieHellman
  // k and (k^exponent)⁻¹ mod modulus: the blinding that keeps computeSecret's output off 1 and −1.
  readonly #blind: bigint
  readonly #unblind: bigint

  constructor (exponent: bigint, modulus: bigint) {
    assertArguments(exponent, modulus)
    if (modulus < 1n << BigInt(MIN_CONTEXT_MODULUS_BITS - 1)) throw new RangeError(`FixedExponentPow: expected a modulus of at least ${MIN_CONTEXT_MODULUS_BITS} bits`)
    this.exponent = exponent
    this.modulus = modulus
    // The generator is never used (only computeSecret is), but OpenSSL wants one in [2, modulus − 2].
    this.#dh = createDiffieHellman(bigintToMinimalBytes(modulus), bigintToMinimalBytes(2n))
    if (exponent > 0n) this.#dh.setPrivateKey(bigintToMinimalBytes(exponent))
    this.#blind = randomUnit(modulus)
    this.#unblind = modInverse(modPow(this.#blind, exponent, modulus), modulus)
  }

  pow (base: bigint): bigint {
    const reduced = reduce(base, this.modulus)
    const trivial = trivialPower(reduced, this.exponent, this.modulus)
    if (trivial !== undefined) return trivial
    const blinded = reduced * this.#blind % this.modulus
    let output: bigint
    try {
      output = bytesToBigint(this.#dh.computeSecret(bigintToMinimalBytes(blinded)))
    } catch (err) {
      output = recoverRefusedOutput(err, blinded, this.exponent, this.modulus)
    }
    return output * this.#unblind % this.modulus
  }
}

function assertArguments (exponent: bigint, modulus: bigint): void {
  if (modulus <= 1n || (modulus & 1n) === 0n) throw new RangeError(`modPow: expected an odd modulus > 1, got ${modulus}`)
  if (exponent < 0n) throw new RangeError(`modPow: expected a non-negative exponent, got ${exponent}`)
}

function reduce (base: bigint, modulus: bigint): bigint {
  const reduced = base % modulus
  return reduced < 0n ? reduced + modulus : reduced
}

// The powers OpenSSL will not compute: exponent 0, bases 0 and 1, and base −1.
function trivialPower (reduced: bigint, exponent: bigint, modulus: bigint): bigint | undefined {
  if (exponent === 0n) return 1n
  if (reduced <= 1n) return reduced
  if (reduced === modulus - 1n) return (exponent & 1n) === 0n ? 1n : reduced
  return undefined
}

// OpenSSL failed on base^exponent: if the true result is one it refuses to output, return it.
function recoverRefusedOutput (err: unknown, base: bigint, exponent: bigint, modulus: bigint): bigint {
  const result = squareAndMultiply(base, exponent, modulus)
  if (result === 0n || result === 1n || result === modulus - 1n) return result
  throw err
}

/** base^exponent mod modulus in plain BigInt, right-to-left binary: the slow path, and the benchmark's reference point. */
export function squareAndMultiply (base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n
  for (let e = exponent; e > 0n; e >>= 1n) {
    if ((e & 1n) === 1n) result = result * base % modulus
    base = base * base % modulus
  }
  return result
}
