// Modular exponentiation through OpenSSL (node:crypto): ~8x faster than BigInt square-and-multiply at our sizes.
import { createDiffieHellman } from 'node:crypto'
import { gcd } from './arith.ts'
import { bigintToMinimalBytes, bytesToBigint } from './bytes.ts'

// JavaScript's BigInt has no modPow. A Diffie–Hellman object computes g^x mod p for its "prime" p,
// generator g and private key x with OpenSSL's BN_mod_exp_mont_consttime (fixed-window Montgomery,
// constant time in x), and OpenSSL does not check that p is prime when it only derives a public
// key. So any odd modulus works, including p², q² and n². Measured on the 2-core Xeon dev machine
// (scripts/bench/crypto.ts, "modpow" section), for a 2048-bit modulus and a 1024-bit exponent,
// which is the shape of one CRT half of a 2048-bit decryption:
//   BigInt square-and-multiply ~11 ms, BigInt sliding window (w = 5) ~8 ms, OpenSSL ~1.4 ms.
// The fixed cost per call (context and window precomputation) is ~0.25 ms, so this pays off for
// exponents above ~100 bits; callers use it for decryption, key checks and one-off h_s^r.
// OpenSSL refuses generators 0 and 1 (handled below), even moduli (refused below), and a zero
// result, which happens only when the base shares factors with the modulus. The engine never
// passes such a base (ciphertexts are checked first), so that case takes plain BigInt
// square-and-multiply; any other OpenSSL failure is rethrown rather than hidden behind a slow path.

/** base^exponent mod modulus, for an odd modulus > 1 and an exponent >= 0. */
export function modPow (base: bigint, exponent: bigint, modulus: bigint): bigint {
  if (modulus <= 1n || (modulus & 1n) === 0n) throw new RangeError(`modPow: expected an odd modulus > 1, got ${modulus}`)
  if (exponent < 0n) throw new RangeError(`modPow: expected a non-negative exponent, got ${exponent}`)
  const reduced = ((base % modulus) + modulus) % modulus
  if (exponent === 0n) return 1n
  if (reduced <= 1n) return reduced
  try {
    const dh = createDiffieHellman(bigintToMinimalBytes(modulus), bigintToMinimalBytes(reduced))
    dh.setPrivateKey(bigintToMinimalBytes(exponent))
    return bytesToBigint(dh.generateKeys())
  } catch (err) {
    if (gcd(modulus, reduced) === 1n) throw err
    return squareAndMultiply(reduced, exponent, modulus)
  }
}

function squareAndMultiply (base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n
  for (let e = exponent; e > 0n; e >>= 1n) {
    if ((e & 1n) === 1n) result = result * base % modulus
    base = base * base % modulus
  }
  return result
}
