// Tests the derivation of h_s from n: independent vectors, n-th residuosity, caching and its refusals.
import assert from 'node:assert/strict'
import { gcd } from '../../../protocol/paillier/arith.ts'
import { derivedPublicComponent, hsDerivationUnit, publicComponentFromUnit } from '../../../protocol/paillier/derived-hs.ts'
import { modPow } from '../../../protocol/paillier/modpow.ts'
import { knownAnswers, testKey } from './fixtures.ts'

describe('paillier/derived-hs', () => {
  it('derives x and h_s = (−x²)^n mod n² as the independent vectors do', () => {
    for (const kat of knownAnswers()) {
      assert.equal(hsDerivationUnit(kat.n), kat.x)
      assert.equal(publicComponentFromUnit(kat.n, kat.x), kat.hs)
      assert.equal(derivedPublicComponent(kat.n), kat.hs)
    }
  })

  it('gives the committed test keys their derived h_s', () => {
    for (const bits of [2048, 3072] as const) {
      const { publicKey } = testKey(bits)
      assert.equal(publicKey.hs, derivedPublicComponent(publicKey.n))
    }
  })

  it('derives an n-th residue mod n² of order above 2 (decryption needs the first, privacy the second)', () => {
    const { p, q, publicKey: { n } } = testKey(2048)
    const hs = derivedPublicComponent(n)
    assert.equal(modPow(hs, p - 1n, p * p), 1n)
    assert.equal(modPow(hs, q - 1n, q * q), 1n)
    assert.equal(gcd(hs - 1n, n), 1n)
    assert.equal(gcd(hs + 1n, n), 1n)
  })

  it('depends on every bit of n: neighbouring moduli get unrelated units', () => {
    const { n } = testKey(2048).publicKey
    const x = hsDerivationUnit(n)
    assert.notEqual(hsDerivationUnit(n + 2n), x)
    assert.ok(x > 0n && x < n && gcd(x, n) === 1n)
  })

  it('caches per modulus: a second derivation costs no modexp', () => {
    const { n } = testKey(3072).publicKey
    derivedPublicComponent(n)
    const started = performance.now()
    for (let i = 0; i < 100; i++) derivedPublicComponent(n)
    // 100 uncached derivations would take seconds (~70 ms each at 3072 bits); cached, microseconds.
    assert.ok(performance.now() - started < 500)
  })

  it('refuses an even or trivial modulus', () => {
    for (const bad of [0n, 1n, 4n, -7n]) assert.throws(() => hsDerivationUnit(bad), RangeError)
  })
})
