// Tests bit length, gcd and modular inverse against definitions.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { bitLength, gcd, modInverse } from '../../../protocol/paillier/arith.ts'

describe('paillier/arith', () => {
  it('bitLength counts bits, including at powers of two', () => {
    assert.equal(bitLength(0n), 0)
    assert.equal(bitLength(1n), 1)
    assert.equal(bitLength(255n), 8)
    assert.equal(bitLength(256n), 9)
    assert.equal(bitLength(1n << 2047n), 2048)
    assert.equal(bitLength((1n << 2048n) - 1n), 2048)
    assert.throws(() => bitLength(-1n), RangeError)
  })

  it('bitLength agrees with the binary representation', () => {
    fc.assert(fc.property(fc.bigInt({ min: 1n, max: 1n << 4100n }), x => bitLength(x) === x.toString(2).length))
  })

  it('gcd divides both arguments and is the largest common divisor', () => {
    assert.equal(gcd(12n, 18n), 6n)
    assert.equal(gcd(17n, 0n), 17n)
    assert.equal(gcd(0n, 17n), 17n)
    fc.assert(fc.property(fc.bigInt({ min: 1n, max: 1n << 300n }), fc.bigInt({ min: 1n, max: 1n << 300n }), fc.bigInt({ min: 1n, max: 1n << 64n }), (a, b, k) => {
      const g = gcd(a * k, b * k)
      return g % k === 0n && (a * k) % g === 0n && (b * k) % g === 0n && gcd(a * k / g, b * k / g) === 1n
    }))
  })

  it('modInverse gives a·a⁻¹ ≡ 1 and refuses non-units', () => {
    const m = (1n << 521n) - 1n // a Mersenne prime
    fc.assert(fc.property(fc.bigInt({ min: 1n, max: m - 1n }), a => a * modInverse(a, m) % m === 1n))
    assert.equal(modInverse(-3n, 7n), 2n)
    assert.throws(() => modInverse(6n, 9n), RangeError)
  })
})
