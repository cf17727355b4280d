// Tests the int:<bits> encoding's range check and maximum.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { intMaxValue, toBoundedInteger } from '../../../protocol/encoding/int.ts'

describe('protocol/encoding/int', () => {
  it('intMaxValue is 2^bits − 1', () => {
    assert.equal(intMaxValue(1), 1n)
    assert.equal(intMaxValue(32), 4294967295n)
    assert.equal(intMaxValue(62), 4611686018427387903n)
  })

  it('accepts integers in [0, 2^bits) as number or bigint', () => {
    assert.equal(toBoundedInteger(0, 8), 0n)
    assert.equal(toBoundedInteger(255, 8), 255n)
    assert.equal(toBoundedInteger(255n, 8), 255n)
    assert.equal(toBoundedInteger(-0, 8), 0n)
    assert.equal(toBoundedInteger(2n ** 62n - 1n, 62), 2n ** 62n - 1n)
    assert.equal(toBoundedInteger(Number.MAX_SAFE_INTEGER, 62), BigInt(Number.MAX_SAFE_INTEGER))
  })

  it('refuses out of range, non-integer, NaN, unsafe numbers and other types with a sentence', () => {
    for (const [value, bits] of [[256, 8], [256n, 8], [-1, 8], [-1n, 8], [0.5, 8], [Number.NaN, 8], [Infinity, 62], [2 ** 60, 62], ['1', 8], [undefined, 8]] as const) {
      const result = toBoundedInteger(value, bits)
      assert.equal(typeof result, 'string', `${String(value)} should be refused`)
      assert.match(result as string, /^expected an integer in \[0, 2\^\d+\)/)
    }
  })

  it('honours a lower bound (weights start at 1)', () => {
    assert.equal(typeof toBoundedInteger(0, 8, 1n), 'string')
    assert.equal(toBoundedInteger(1, 8, 1n), 1n)
  })

  it('accepts exactly the integers below 2^bits (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 62 }), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n }), (bits, value) => {
      const inRange = value >= 0n && value < 2n ** BigInt(bits)
      assert.equal(toBoundedInteger(value, bits) === value, inRange)
    }))
  })
})
