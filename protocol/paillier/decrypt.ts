// Decryption with the private key: CRT over p² and q², each half one native exponentiation.
import { assertCiphertext } from './encrypt.ts'
import { CiphertextNotInvertibleError } from './errors.ts'
import type { PaillierPrivateKey } from './keys.ts'
import { FixedExponentPow } from './modpow.ts'

// Paillier's CRT decryption (Paillier, EUROCRYPT '99, efficiency section):
//   m_p = L_p(c^(p−1) mod p²) · h_p mod p,   L_p(u) = (u − 1)/p,   h_p = (−q)⁻¹ mod p for g = n + 1,
// likewise m_q, then Garner: m = m_q + q·((m_p − m_q)·q⁻¹ mod p). The DJN randomizer h_s^r is an
// n-th residue, whose order mod p² divides p − 1, so c^(p−1) removes it just as it removes r^n.
// Each half is a (k/2)-bit exponent modulo a k-bit p², done by OpenSSL (modpow.ts): at 2048 bits
// ~1.2 ms per half against ~9 ms for BigInt square-and-multiply, and constant time in the secret
// exponent p − 1, which BigInt arithmetic is not. The two OpenSSL contexts (exponent p − 1 mod p²,
// q − 1 mod q²) are built on a key's first decryption (~12 ms at 2048 bits) and cached with the key object.

interface CrtContexts {
  readonly p: FixedExponentPow
  readonly q: FixedExponentPow
}

const contexts = new WeakMap<PaillierPrivateKey, CrtContexts>()

function crtContexts (privateKey: PaillierPrivateKey): CrtContexts {
  let cached = contexts.get(privateKey)
  if (cached === undefined) {
    cached = {
      p: new FixedExponentPow(privateKey.p - 1n, privateKey.pSquared),
      q: new FixedExponentPow(privateKey.q - 1n, privateKey.qSquared)
    }
    contexts.set(privateKey, cached)
  }
  return cached
}

/** The plaintext m ∈ [0, n) of a ciphertext c ∈ Z*_{n²}. */
export function decrypt (privateKey: PaillierPrivateKey, c: bigint): bigint {
  const { p, q, qInverseModP } = privateKey
  assertCiphertext(privateKey.publicKey, c)
  const { p: powP, q: powQ } = crtContexts(privateKey)
  const mp = decryptHalf(c, p, powP, privateKey.hp)
  const mq = decryptHalf(c, q, powQ, privateKey.hq)
  const difference = (mp - mq) % p
  return mq + q * ((difference < 0n ? difference + p : difference) * qInverseModP % p)
}

// m mod prime, from c mod prime²; a c divisible by the prime is no unit mod n², hence no ciphertext.
function decryptHalf (c: bigint, prime: bigint, power: FixedExponentPow, h: bigint): bigint {
  const reduced = c % power.modulus
  if (reduced % prime === 0n) throw new CiphertextNotInvertibleError('expected a ciphertext coprime to n, got one sharing a prime factor with n')
  return (power.pow(reduced) - 1n) / prime * h % prime
}
