// Loads the pre-generated Paillier test keys and the independently computed known-answer vectors.
import { checkPrimeSync } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { PrivateKey, PublicKey } from 'paillier-bigint'
import { modInverse } from '../../../protocol/paillier/arith.ts'
import { publicComponentFromUnit } from '../../../protocol/paillier/derived-hs.ts'
import { privateKeyFromJSON } from '../../../protocol/paillier/keys.ts'
import { modPow } from '../../../protocol/paillier/modpow.ts'
import type { PaillierPrivateKey } from '../../../protocol/paillier/keys.ts'

export type TestKeyBits = 2048 | 3072

const keys = new Map<TestKeyBits, PaillierPrivateKey>()

function readFixture (name: string): unknown {
  return JSON.parse(readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8'))
}

/** The committed test key (one object per process, so each key's comb is built once per test run). */
export function testKey (bits: TestKeyBits): PaillierPrivateKey {
  let key = keys.get(bits)
  if (key === undefined) {
    key = privateKeyFromJSON(readFixture(`paillier-${bits}.json`))
    keys.set(bits, key)
  }
  return key
}

/** The raw JSON of a committed test key, for serialization tests. */
export function testKeyJSON (bits: TestKeyBits): Record<string, unknown> {
  return readFixture(`paillier-${bits}.json`) as Record<string, unknown>
}

export interface KnownAnswerCase { m: bigint, r: bigint, c: bigint }
export interface KnownAnswerKey {
  bits: TestKeyBits
  p: bigint
  q: bigint
  n: bigint
  x: bigint
  hs: bigint
  fingerprint: string
  cases: KnownAnswerCase[]
}

/** Vectors computed with Python's pow() from the test keys' primes (see the fixture's "derivation"). */
export function knownAnswers (): KnownAnswerKey[] {
  const json = readFixture('paillier-kat.json') as { keys: Array<Record<string, unknown>> }
  const big = (value: unknown): bigint => BigInt('0x' + String(value))
  return json.keys.map(key => ({
    bits: key.bits as TestKeyBits,
    p: big(key.p),
    q: big(key.q),
    n: big(key.n),
    x: big(key.x),
    hs: big(key.hs),
    fingerprint: String(key.fingerprint),
    cases: (key.cases as Array<Record<string, unknown>>).map(c => ({ m: big(c.m), r: big(c.r), c: big(c.c) }))
  }))
}

/** Asserts that fn throws an error named `name` (tests match on err.name, not on classes). */
export function throwsNamed (name: string): (err: unknown) => boolean {
  return (err: unknown) => err instanceof Error && err.name === name
}

/** The x with x ≡ a (mod m1) and x ≡ b (mod m2), for coprime m1, m2. */
export function crt (a: bigint, m1: bigint, b: bigint, m2: bigint): bigint {
  const modulus = m1 * m2
  const x = (a + m1 * ((((b - a) % m2 + m2) % m2) * modInverse(m1, m2) % m2)) % modulus
  return (x + modulus) % modulus
}

/**
 * An h_s of small order ℓ_p·ℓ_q (51 for the 2048-bit test key), the weak key of issue 7: an n-th
 * residue mod n² (so decryption works) with h_s ≢ ±1 modulo p² and q² (so it passes every structural
 * check), where ℓ_p, ℓ_q are the smallest distinct odd primes dividing p − 1 and q − 1. Each half
 * is g^((p−1)/ℓ_p) mod p² for an n-th residue g, retried with another g while that is 1.
 */
export function smallOrderHs (key: PaillierPrivateKey): { hs: bigint, order: bigint } {
  const { p, q, publicKey: { n } } = key
  const smallestOddPrimeFactor = (value: bigint, except: bigint): bigint => {
    for (let l = 3n; l < 10_000n; l += 2n) {
      if (l !== except && value % l === 0n && checkPrimeSync(l)) return l
    }
    throw new Error('no small odd prime factor')
  }
  const lp = smallestOddPrimeFactor(p - 1n, 0n)
  const lq = smallestOddPrimeFactor(q - 1n, lp)
  const half = (prime: bigint, l: bigint): bigint => {
    for (let t = 2n; ; t++) {
      const g = publicComponentFromUnit(n, t)
      const a = modPow(g % (prime * prime), (prime - 1n) / l, prime * prime)
      if (a !== 1n) return a
    }
  }
  return { hs: crt(half(p, lp), p * p, half(q, lq), q * q), order: lp * lq }
}

/** paillier-bigint's key (the oracle) for our p, q with g = n + 1: λ = (p−1)(q−1), μ = λ⁻¹ mod n. */
export function referenceKeys (key: PaillierPrivateKey): { publicKey: PublicKey, privateKey: PrivateKey } {
  const { p, q } = key
  const { n } = key.publicKey
  const publicKey = new PublicKey(n, n + 1n)
  const lambda = (p - 1n) * (q - 1n)
  return { publicKey, privateKey: new PrivateKey(lambda, modInverse(lambda, n), publicKey, p, q) }
}
