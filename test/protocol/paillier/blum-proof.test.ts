// Tests Π^mod: fixture keys prove and verify (through the wire form), tampering is refused, and so are moduli that are not Paillier–Blum.
import assert from 'node:assert/strict'
import { generatePrimeSync } from 'node:crypto'
import { bitLength, gcd, jacobi, modInverse } from '../../../protocol/paillier/arith.ts'
import { BLUM_PROOF_CHALLENGES, blumProofChallenges, blumProofW, proveBlumModulus, verifyBlumModulusProof } from '../../../protocol/paillier/blum-proof.ts'
import type { BlumModulusProof, BlumProofAnswer } from '../../../protocol/paillier/blum-proof.ts'
import { blumProofFromWire, blumProofToWire } from '../../../protocol/paillier/blum-proof-wire.ts'
import { FixedExponentPow } from '../../../protocol/paillier/modpow.ts'
import { WIRE } from '../../../protocol/messages/index.ts'
import { testKey, throwsNamed } from './fixtures.ts'

const FEDERATION = 'acme'

/**
 * A cheating prover who knows the factorization of a modulus that is no Paillier–Blum modulus and
 * answers every challenge it can: x when some (−1)^a·w^b·y is a fourth power modulo every prime (a
 * fourth root then comes prime by prime, as fourthRoot computes), z when gcd(n, φ(n)) = 1. For
 * the rest it has nothing valid to send, and sends x = 1. Returns the proof and which answers are valid.
 */
function cheat (n: bigint, primes: readonly bigint[], fourthRoot: (t: bigint, prime: bigint) => bigint | undefined): { proof: BlumModulusProof, valid: boolean[] } {
  const w = blumProofW(FEDERATION, n)
  const phi = primes.reduce((product, prime) => product * (prime - 1n), 1n)
  const nthRoots = primes.map(prime => modInverse(n % (prime - 1n), prime - 1n))
  const crt = (residues: bigint[]): bigint => residues.reduce((x, residue, i) => {
    const prime = primes[i]!
    const others = n / prime
    return (x + residue * others % n * modInverse(others % prime, prime)) % n
  }, 0n)
  const valid: boolean[] = []
  const answers = blumProofChallenges(FEDERATION, n, w).map((y): BlumProofAnswer => {
    assert.equal(gcd(n, phi), 1n)
    const z = crt(nthRoots.map((root, i) => power(y % primes[i]!, root, primes[i]!)))
    for (const [a, b] of [[false, false], [false, true], [true, false], [true, true]] as const) {
      let target = b ? y * w % n : y
      if (a) target = n - target
      const roots = primes.map(prime => fourthRoot(target % prime, prime))
      if (roots.every(root => root !== undefined)) {
        valid.push(true)
        return { x: crt(roots), a, b, z }
      }
    }
    valid.push(false)
    return { x: 1n, a: false, b: false, z }
  })
  return { proof: { w, answers }, valid }
}

// One OpenSSL context per (exponent, prime): building one runs a primality test of the prime.
const contexts = new Map<string, FixedExponentPow>()
function power (base: bigint, exponent: bigint, prime: bigint): bigint {
  const key = `${exponent}:${prime}`
  let context = contexts.get(key)
  if (context === undefined) contexts.set(key, context = new FixedExponentPow(exponent, prime))
  return context.pow(base)
}

/** A fourth root of t modulo a prime p ≡ 3 (mod 4), if t has one (exactly when t is a residue). */
function blumFourthRoot (t: bigint, p: bigint): bigint | undefined {
  if (jacobi(t, p) !== 1) return undefined
  const root = (p + 1n) / 4n
  return power(t, root * root % (p - 1n), p)
}

/** A square root of a residue t modulo a prime p ≡ 5 (mod 8) (Atkin's formula). */
function atkinSquareRoot (t: bigint, p: bigint): bigint {
  const v = power(2n * t % p, (p - 5n) / 8n, p)
  const i = 2n * t % p * v % p * v % p
  return t * v % p * ((i - 1n + p) % p) % p
}

/** A fourth root of t modulo a prime p ≡ 5 (mod 8), if t has one: a square root that is itself a residue, square-rooted again. */
function fourthRootModFiveEight (t: bigint, p: bigint): bigint | undefined {
  if (jacobi(t, p) !== 1) return undefined
  const s = atkinSquareRoot(t, p)
  // −1 is a residue (p ≡ 1 mod 4), so ±s are residues together or not at all.
  if (jacobi(s, p) !== 1) return undefined
  return atkinSquareRoot(s, p)
}

describe('paillier/blum-proof', function () {
  this.timeout(120_000)

  for (const bits of [2048, 3072] as const) {
    it(`a ${bits}-bit test key proves and verifies, through the wire form, with the same proof every time`, () => {
      const { p, q, publicKey: { n } } = testKey(bits)
      const proof = proveBlumModulus(FEDERATION, p, q)
      assert.equal(proof.answers.length, BLUM_PROOF_CHALLENGES)
      assert.equal(jacobi(proof.w, n), -1)
      verifyBlumModulusProof(FEDERATION, n, proof)
      const bytes = WIRE.BlumModulusProof.encode(blumProofToWire(proof))
      assert.ok(bytes.byteLength <= WIRE.BlumModulusProof.maxDataLength)
      verifyBlumModulusProof(FEDERATION, n, blumProofFromWire(WIRE.BlumModulusProof.decode(bytes)))
      assert.deepEqual(proveBlumModulus(FEDERATION, p, q), proof)
    })
  }

  describe('refuses a tampered proof', () => {
    const { p, q, publicKey: { n } } = testKey(2048)
    let proof: BlumModulusProof
    before(() => { proof = proveBlumModulus(FEDERATION, p, q) })
    const withAnswer = (i: number, change: Partial<BlumProofAnswer>): BlumModulusProof =>
      ({ w: proof.w, answers: proof.answers.map((answer, j) => j === i ? { ...answer, ...change } : answer) })

    it('any one answer changed: x, z, a or b', () => {
      const last = BLUM_PROOF_CHALLENGES - 1
      // −x has the same fourth power: another valid root, so the proof still verifies.
      verifyBlumModulusProof(FEDERATION, n, withAnswer(last, { x: n - proof.answers[last]!.x }))
      assert.throws(() => { verifyBlumModulusProof(FEDERATION, n, withAnswer(last, { x: proof.answers[last]!.x + 1n })) }, /answer 127: x⁴/)
      const first = proof.answers[0]!
      assert.throws(() => { verifyBlumModulusProof(FEDERATION, n, withAnswer(0, { z: first.z * 2n % n })) }, /answer 0: z\^n/)
      assert.throws(() => { verifyBlumModulusProof(FEDERATION, n, withAnswer(0, { a: !first.a })) }, /answer 0: x⁴/)
      assert.throws(() => { verifyBlumModulusProof(FEDERATION, n, withAnswer(0, { b: !first.b })) }, /answer 0: x⁴/)
    })

    it('an answer dropped or added, and elements out of range', () => {
      const answers = proof.answers
      assert.throws(() => { verifyBlumModulusProof(FEDERATION, n, { w: proof.w, answers: answers.slice(1) }) }, /expected 128 answers/)
      assert.throws(() => { verifyBlumModulusProof(FEDERATION, n, { w: proof.w, answers: [...answers, answers[0]!] }) }, /expected 128 answers/)
      assert.throws(() => { verifyBlumModulusProof(FEDERATION, n, withAnswer(3, { x: answers[3]!.x + n })) }, /in \[1, n\)/)
      assert.throws(() => { verifyBlumModulusProof(FEDERATION, n, withAnswer(3, { z: 0n })) }, /in \[1, n\)/)
    })

    it('another w, or a w with Jacobi symbol +1', () => {
      assert.throws(() => { verifyBlumModulusProof(FEDERATION, n, { ...proof, w: n - proof.w }) }, throwsNamed('BlumProofError')) // (−1/n) = +1 for a Blum n
      let other = proof.w + 1n
      while (jacobi(other, n) !== -1) other++
      assert.throws(() => { verifyBlumModulusProof(FEDERATION, n, { ...proof, w: other }) }, /answer 0/)
    })

    it('another federation, or another modulus', () => {
      assert.throws(() => { verifyBlumModulusProof('other-federation', n, proof) }, throwsNamed('BlumProofError'))
      assert.throws(() => { verifyBlumModulusProof(FEDERATION, testKey(3072).publicKey.n, proof) }, throwsNamed('BlumProofError'))
      assert.throws(() => { verifyBlumModulusProof(FEDERATION, n + 2n, proof) }, throwsNamed('BlumProofError'))
    })

    it('non-minimal or missing numbers on the wire', () => {
      const wire = blumProofToWire(proof)
      assert.throws(() => blumProofFromWire({ ...wire, w: Uint8Array.of(0, ...wire.w) }), /leading zero/)
      assert.throws(() => blumProofFromWire({ ...wire, version: 2 }), /version/)
      assert.throws(() => blumProofFromWire(undefined), throwsNamed('BlumProofError'))
    })
  })

  describe('refuses moduli that are not Paillier–Blum', () => {
    it('a prime, an even number, a short modulus', () => {
      const prime = (1n << 2203n) - 1n // a Mersenne prime, long enough to pass the length check
      const proof = { w: 2n, answers: [] }
      assert.throws(() => { verifyBlumModulusProof(FEDERATION, prime, proof) }, /prime/)
      assert.throws(() => { verifyBlumModulusProof(FEDERATION, testKey(2048).publicKey.n + 1n, proof) }, /odd modulus/)
      assert.throws(() => { verifyBlumModulusProof(FEDERATION, (1n << 1023n) + 1n, proof) }, throwsNamed('KeyTooShortError'))
    })

    it('the honest prover refuses primes that are not ≡ 3 (mod 4)', () => {
      const { q } = testKey(2048)
      const p = generatePrimeSync(1024, { bigint: true, add: 8n, rem: 5n })
      assert.throws(() => proveBlumModulus(FEDERATION, p, q), throwsNamed('BlumProofError'))
    })

    it('n = p·q with p ≡ 5 (mod 8), fixture-sized: a cheater answers at most about half the challenges, and the proof fails', () => {
      const { q } = testKey(2048)
      let p: bigint
      do p = generatePrimeSync(1024, { bigint: true, add: 8n, rem: 5n })
      while (bitLength(p * q) !== 2048 || gcd(p * q, (p - 1n) * (q - 1n)) !== 1n)
      const n = p * q
      const { proof, valid } = cheat(n, [p, q], (t, prime) => prime === q ? blumFourthRoot(t, prime) : fourthRootModFiveEight(t, prime))
      const answered = valid.filter(Boolean).length
      // The soundness bound is 1/2 per challenge; here it is 1/4 (−1 is a square but no fourth power
      // mod p ≡ 5 mod 8, so a and b cannot reach every class). Above 93 of 128 has probability < 2^-40.
      assert.ok(answered > 0 && answered <= 93, `answered ${answered} of ${BLUM_PROOF_CHALLENGES}`)
      // The answers it could give are right: the verifier fails exactly at the first one it could not.
      const firstUnanswered = valid.indexOf(false)
      assert.throws(() => { verifyBlumModulusProof(FEDERATION, n, proof) }, new RegExp(`answer ${firstUnanswered}: x⁴`))
    })

    it('n = p·q·r, three Blum primes: a cheater answers at most about half the challenges, and the proof fails', () => {
      let primes: bigint[]
      do primes = [0, 1, 2].map(() => generatePrimeSync(683, { bigint: true, add: 4n, rem: 3n }))
      while (bitLength(primes[0]! * primes[1]! * primes[2]!) < 2048)
      const n = primes[0]! * primes[1]! * primes[2]!
      const { proof, valid } = cheat(n, primes, blumFourthRoot)
      const answered = valid.filter(Boolean).length
      // Residuosity modulo three primes is 3 bits and (a, b) reach at most 4 of the 8 patterns: at
      // most 1/2 per challenge (1/4 when w is a non-residue modulo all three, like −1). Above 93 of
      // 128 has probability < 2^-40.
      assert.ok(answered > 0 && answered <= 93, `answered ${answered} of ${BLUM_PROOF_CHALLENGES}`)
      assert.throws(() => { verifyBlumModulusProof(FEDERATION, n, proof) }, new RegExp(`answer ${valid.indexOf(false)}: x⁴`))
    })
  })
})
