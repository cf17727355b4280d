// Tests the Lim–Lee comb against modPow for many shapes, exponent lengths and edge exponents.
import assert from 'node:assert/strict'
import { Buffer } from 'node:buffer'
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

  it('adopts a table exported by another comb, shared or not, and gives the same powers', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 200 }), fc.boolean(), fc.bigInt({ min: 0n, max: 1n << 200n }),
      (teeth, combs, exponentBits, shared, e) => {
        const exponent = bigintToLittleEndian(e % (1n << BigInt(exponentBits)), Math.ceil(exponentBits / 8))
        const built = new FixedBaseComb(base, modulus, exponentBits, { teeth, combs }, { shared })
        const adopted = new FixedBaseComb(base, modulus, exponentBits, { teeth, combs }, { table: built.table })
        return (built.table.buffer instanceof SharedArrayBuffer) === shared && adopted.table === built.table &&
          adopted.pow(exponent) === built.pow(exponent) && adopted.pow(exponent) === modPow(base, e % (1n << BigInt(exponentBits)), modulus)
      }), { numRuns: 60 })
  })

  it('lays the table out as fixed-width big-endian entries of the modulus\'s byte length', () => {
    const comb = new FixedBaseComb(base, modulus, 64, { teeth: 4, combs: 2 }, { shared: true })
    assert.equal(comb.entryBytes, 66)
    assert.equal(comb.table.byteLength, 2 * 15 * 66)
    // G[0][1] = base, G[1][1] = base^(2^b) with b = ⌈64 / 8⌉ = 8.
    assert.equal(BigInt('0x' + Buffer.from(comb.table.subarray(0, 66)).toString('hex')), base)
    assert.equal(BigInt('0x' + Buffer.from(comb.table.subarray(15 * 66, 16 * 66)).toString('hex')), modPow(base, 1n << 8n, modulus))
  })

  it('refuses a table of the wrong length, or one built for another base or exponent length', () => {
    const shape = { teeth: 4, combs: 2 }
    const { table } = new FixedBaseComb(base, modulus, 64, shape)
    assert.throws(() => new FixedBaseComb(base, modulus, 64, shape, { table: table.subarray(1) }), RangeError)
    assert.throws(() => new FixedBaseComb(base, modulus, 64, shape, { table: new Uint8Array(table.byteLength + 66) }), RangeError)
    assert.throws(() => new FixedBaseComb(base, modulus, 64, { teeth: 4, combs: 3 }, { table }), RangeError)
    assert.throws(() => new FixedBaseComb(base, (1n << 607n) - 1n, 64, shape, { table }), RangeError)
    assert.throws(() => new FixedBaseComb(base + 1n, modulus, 64, shape, { table }), /not built for this base/)
    // 80 bits: b = 10 instead of 8, same length.
    assert.throws(() => new FixedBaseComb(base, modulus, 80, shape, { table }), /not built for this exponent length/)
    // One comb: bases[1] sits at G[0][2].
    const single = new FixedBaseComb(base, modulus, 12, { teeth: 3, combs: 1 })
    assert.throws(() => new FixedBaseComb(base, modulus, 15, { teeth: 3, combs: 1 }, { table: single.table }), /not built for this exponent length/)
    assert.equal(new FixedBaseComb(base, modulus, 12, { teeth: 3, combs: 1 }, { table: single.table }).pow(Uint8Array.of(0x34, 0x0c)), modPow(base, 0xc34n, modulus))
  })

  it('refuses exponents of the wrong length and impossible shapes', () => {
    const comb = new FixedBaseComb(base, modulus, 64, { teeth: 4, combs: 2 })
    assert.throws(() => comb.pow(new Uint8Array(9)), RangeError)
    assert.throws(() => new FixedBaseComb(base, modulus, 0), RangeError)
    assert.throws(() => new FixedBaseComb(base, modulus, 64, { teeth: 0, combs: 1 }), RangeError)
    assert.throws(() => new FixedBaseComb(base, modulus, 64, { teeth: 4, combs: 0 }), RangeError)
  })
})
