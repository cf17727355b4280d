// Π^mod: a non-interactive proof that n is a Paillier–Blum modulus (Canetti et al., CCS 2020), so a coordinator cannot hand out a weak n.
import { Buffer } from 'node:buffer'
import { checkPrimeSync } from 'node:crypto'
import { bitLength, jacobi, modInverse } from './arith.ts'
import { bigintToMinimalBytes } from './bytes.ts'
import { BlumProofError } from './errors.ts'
import { hashToUnit } from './hash-to-unit.ts'
import { assertKeyBits } from './keys.ts'
import { FixedExponentPow } from './modpow.ts'

// The proof of Canetti, Gennaro, Goldfeder, Makriyannis, Peled, "UC Non-Interactive, Proactive,
// Threshold ECDSA with Identifiable Aborts" (CCS 2020, full version Section 6.3, "Paillier-Blum
// Modulus ZK"), with the Fiat–Shamir transform. It shows that n = p·q with p ≡ q ≡ 3 (mod 4) and
// gcd(n, φ(n)) = 1. The prover publishes w with Jacobi (w/n) = −1; for each challenge y_i it answers
// z_i = y_i^(n⁻¹ mod φ(n)) (an n-th root: only when gcd(n, φ(n)) = 1 is x ↦ x^n a permutation, so
// only then does every y have one) and a fourth root x_i of y'_i = (−1)^a_i·w^b_i·y_i (when n is a
// Blum integer exactly one of ±y, ±w·y is a quadratic residue, and every residue has a fourth root).
// If n is not a Paillier–Blum modulus, a random y admits both answers with probability at most 1/2
// (the paper's soundness lemma), so a proof passes with probability at most 2^-m.
//
// Fiat–Shamir: y_i = hashToUnit("fedagg/blum-modulus/v1/y", [federation, n, w, i], n). The hash binds
// the federation (a proof is not replayed into another federation's context), n and w (the prover's
// first message). w itself is derived too, from (federation, n), as the first hashed unit with
// Jacobi symbol −1: the proof is then a deterministic function of (federation, n), and proving again
// gives the same bytes. A random w would do as well (the soundness lemma holds for every w); a
// derived one lets the coordinator recompute the proof instead of storing it.

/**
 * Challenges per proof. A non-interactive proof can be ground offline: a prover with a bad n can
 * draw fresh challenges (another w, another federation id) as often as it can hash, each draw
 * passing with probability 2^-m. m = 128 keeps 2^t hash-and-prove attempts at success 2^(t − 128),
 * the 128-bit level of a 3072-bit key (m = 80, the paper's figure, would leave 2^(t − 80)). Verifying
 * costs one n-bit modexp mod n per challenge (measured in docs/crypto.md).
 */
export const BLUM_PROOF_CHALLENGES = 128

const W_LABEL = 'fedagg/blum-modulus/v1/w'
const Y_LABEL = 'fedagg/blum-modulus/v1/y'

export interface BlumProofAnswer {
  /** A fourth root of (−1)^a·w^b·y mod n. */
  readonly x: bigint
  readonly a: boolean
  readonly b: boolean
  /** y^(n⁻¹ mod φ(n)) mod n: z^n ≡ y. */
  readonly z: bigint
}

export interface BlumModulusProof {
  readonly w: bigint
  readonly answers: readonly BlumProofAnswer[]
}

/** The proof's first message: the first unit hashed from (federation, n) with Jacobi symbol −1. */
export function blumProofW (federationId: string, n: bigint): bigint {
  return hashToUnit(W_LABEL, [Buffer.from(federationId, 'utf8'), bigintToMinimalBytes(n)], n, w => jacobi(w, n) === -1)
}

/** The Fiat–Shamir challenges y_1 … y_m ∈ Z*_n for (federation, n, w). */
export function blumProofChallenges (federationId: string, n: bigint, w: bigint, count = BLUM_PROOF_CHALLENGES): bigint[] {
  const federation = Buffer.from(federationId, 'utf8')
  const nBytes = bigintToMinimalBytes(n)
  const wBytes = bigintToMinimalBytes(w)
  const challenges: bigint[] = []
  for (let i = 0; i < count; i++) {
    const index = Buffer.alloc(4)
    index.writeUInt32BE(i)
    challenges.push(hashToUnit(Y_LABEL, [federation, nBytes, wBytes, index], n))
  }
  return challenges
}

/**
 * What the prover needs for one prime factor: its fourth-root and n-th-root exponents, each in an
 * OpenSSL context built once (building one runs a primality test of p: measured at 0.5 s for a
 * 1536-bit p on the loaded dev machine, where one exponentiation mod p took 5.5 ms). Residuosity
 * is the Legendre symbol by the Jacobi algorithm (0.4 ms at 3072 bits there), which spares a
 * third context and an exponentiation by (p − 1)/2 per challenge.
 */
class PrimeHalf {
  readonly prime: bigint
  readonly #fourthRoot: FixedExponentPow
  readonly #nthRoot: FixedExponentPow

  constructor (prime: bigint, n: bigint) {
    this.prime = prime
    // For p ≡ 3 (mod 4), y^((p+1)/4) is the square root of a residue y that is itself a residue,
    // so applying it twice, y^(((p+1)/4)² mod (p−1)), gives a fourth root.
    const root = (prime + 1n) / 4n
    this.#fourthRoot = new FixedExponentPow(root * root % (prime - 1n), prime)
    // x ↦ x^n permutes Z*_p when gcd(n, p − 1) = 1, with inverse x ↦ x^(n⁻¹ mod (p−1)).
    this.#nthRoot = new FixedExponentPow(modInverse(n % (prime - 1n), prime - 1n), prime)
  }

  isResidue (y: bigint): boolean { return jacobi(y, this.prime) === 1 }
  fourthRoot (y: bigint): bigint { return this.#fourthRoot.pow(y) }
  nthRoot (y: bigint): bigint { return this.#nthRoot.pow(y) }
}

/**
 * Proves that n = p·q is a Paillier–Blum modulus. Needs p ≡ q ≡ 3 (mod 4), distinct primes, and
 * gcd(n, φ(n)) = 1 (true for primes of equal length); it throws BlumProofError otherwise rather
 * than emit a proof that cannot verify. Roots are computed per prime and joined by CRT.
 */
export function proveBlumModulus (federationId: string, p: bigint, q: bigint): BlumModulusProof {
  if (p === q || (p & 3n) !== 3n || (q & 3n) !== 3n) throw new BlumProofError('expected distinct primes p ≡ q ≡ 3 (mod 4)')
  const n = p * q
  let halves: [PrimeHalf, PrimeHalf]
  try {
    halves = [new PrimeHalf(p, n), new PrimeHalf(q, n)]
  } catch (err) {
    throw new BlumProofError('expected gcd(n, φ(n)) = 1', { cause: err })
  }
  const [hp, hq] = halves
  const qInverse = modInverse(q, p)
  // Garner: the x ≡ xp (mod p), x ≡ xq (mod q).
  const crt = (xp: bigint, xq: bigint): bigint => xq + q * ((((xp - xq) % p + p) % p) * qInverse % p)
  const w = blumProofW(federationId, n)
  // (w/n) = −1, so w is a residue modulo exactly one of p, q.
  const wResidueModP = hp.isResidue(w)
  const answers = blumProofChallenges(federationId, n, w).map(y => {
    // −1 is a non-residue modulo both (p, q ≡ 3 mod 4), w modulo exactly one: b = 1 makes y's
    // residuosity agree modulo p and q, then a = 1 flips both to residues if they are not.
    const residueModP = hp.isResidue(y)
    const b = residueModP !== hq.isResidue(y)
    const a = !(b ? residueModP === wResidueModP : residueModP)
    let target = b ? y * w % n : y
    if (a) target = n - target
    return Object.freeze({
      x: crt(hp.fourthRoot(target % p), hq.fourthRoot(target % q)),
      a,
      b,
      z: crt(hp.nthRoot(y % p), hq.nthRoot(y % q))
    })
  })
  return Object.freeze({ w, answers: Object.freeze(answers) })
}

/**
 * Verifies a proof that n is a Paillier–Blum modulus for this federation; throws BlumProofError
 * naming the first failed check (no secret is involved: the message may name the challenge). Checks
 * n odd, > 1, of an accepted key length (assertKeyBits) and composite (a probable-prime test), exactly BLUM_PROOF_CHALLENGES answers, w with
 * Jacobi symbol −1, every x_i and z_i in [1, n), then z_i^n ≡ y_i and x_i⁴ ≡ (−1)^a_i·w^b_i·y_i (mod n)
 * for the challenges recomputed from (federation, n, w).
 */
export function verifyBlumModulusProof (federationId: string, n: bigint, proof: BlumModulusProof): void {
  if (n <= 1n || (n & 1n) === 0n) throw new BlumProofError('expected an odd modulus n > 1')
  // Bounds the work a peer's n can cause (and FixedExponentPow needs >= 512 bits).
  assertKeyBits(bitLength(n))
  if (checkPrimeSync(n)) throw new BlumProofError('expected a composite modulus, got a (probable) prime')
  if (proof.answers.length !== BLUM_PROOF_CHALLENGES) {
    throw new BlumProofError(`expected ${BLUM_PROOF_CHALLENGES} answers, got ${proof.answers.length}`)
  }
  const { w } = proof
  if (w <= 0n || w >= n) throw new BlumProofError('expected w in [1, n)')
  if (jacobi(w, n) !== -1) throw new BlumProofError('expected w with Jacobi symbol −1')
  proof.answers.forEach(({ x, z }, i) => {
    if (x <= 0n || x >= n || z <= 0n || z >= n) throw new BlumProofError(`answer ${i}: expected x and z in [1, n)`)
  })
  const nthPower = new FixedExponentPow(n, n)
  blumProofChallenges(federationId, n, w).forEach((y, i) => {
    const { x, a, b, z } = proof.answers[i]!
    if (nthPower.pow(z) !== y) throw new BlumProofError(`answer ${i}: z^n ≢ y (mod n)`)
    let expected = b ? y * w % n : y
    if (a) expected = (n - expected) % n
    const square = x * x % n
    if (square * square % n !== expected) throw new BlumProofError(`answer ${i}: x⁴ ≢ (−1)^a·w^b·y (mod n)`)
  })
}
