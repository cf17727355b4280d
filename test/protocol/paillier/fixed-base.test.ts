// Tests the Lim–Lee comb against modPow for many shapes, exponent lengths and edge exponents.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { bigintToLittleEndian } from '../../../protocol/paillier/bytes.ts'
import { FixedBaseComb } from '../../../protocol/paillier/fixed-base.ts'
import { modPow } from '../../../protocol/paillier/modpow.ts'

describe('paillier/fixed-base', () => {
  const modulus = (1n << 521n) - 1n
  const base = 0x1234567890abcdefn

  it('equals base^e for random shapes, exponent lengths and exponents', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 300 }), fc.bigInt({ min: 0n, max: 1n << 300n }),
      (teeth, combs, exponentBits, e) => {
        const exponent = e % (1n << BigInt(exponentBits))
        const comb = new FixedBaseComb(base, modulus, exponentBits, { teeth, combs })
        return comb.pow(bigintToLittleEndian(exponent, comb.exponentBytes)) === modPow(base, exponent, modulus)
      }), { numRuns: 150 })
  })

  it('handles the edge exponents 0, 1 and 2^t − 1 with the default shape', () => {
    const comb = new FixedBaseComb(base, modulus, 1024)
    assert.equal(comb.blockBits, 10)
    assert.equal(comb.entries, 8 * 8191)
    for (const e of [0n, 1n, 2n, (1n << 1024n) - 1n, 1n << 1023n]) {
      assert.equal(comb.pow(bigintToLittleEndian(e, 128)), modPow(base, e, modulus))
    }
  })

  it('ignores bits above exponentBits in the top byte', () => {
    const comb = new FixedBaseComb(base, modulus, 12, { teeth: 3, combs: 2 })
    assert.equal(comb.pow(Uint8Array.of(0xff, 0xff)), modPow(base, 0xfffn, modulus))
  })

  it('refuses exponents of the wrong length and impossible shapes', () => {
    const comb = new FixedBaseComb(base, modulus, 64, { teeth: 4, combs: 2 })
    assert.throws(() => comb.pow(new Uint8Array(9)), RangeError)
    assert.throws(() => new FixedBaseComb(base, modulus, 0), RangeError)
    assert.throws(() => new FixedBaseComb(base, modulus, 64, { teeth: 0, combs: 1 }), RangeError)
    assert.throws(() => new FixedBaseComb(base, modulus, 64, { teeth: 4, combs: 0 }), RangeError)
  })
})
