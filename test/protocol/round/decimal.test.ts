// exactDecimal: known answers and a round-trip property.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { EXACT_DECIMAL_PATTERN, exactDecimal } from '../../../protocol/round/index.ts'

describe('protocol/round exactDecimal', () => {
  it('renders known values exactly', () => {
    assert.equal(exactDecimal(0), '0')
    assert.equal(exactDecimal(-0), '0')
    assert.equal(exactDecimal(15), '15')
    assert.equal(exactDecimal(-2.5), '-2.5')
    assert.equal(exactDecimal(2 ** -20), '0.00000095367431640625')
    assert.equal(exactDecimal(0.1), '0.1000000000000000055511151231257827021181583404541015625')
    assert.equal(exactDecimal(1e21), '1000000000000000000000')
  })

  it('parses back to the same double and matches the result pattern', () => {
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 }), value => {
      const text = exactDecimal(value)
      assert.match(text, EXACT_DECIMAL_PATTERN)
      assert.equal(Number(text), value === 0 ? 0 : value)
    }))
  })

  it('refuses non-finite input', () => {
    assert.throws(() => exactDecimal(Number.NaN), RangeError)
    assert.throws(() => exactDecimal(Infinity), RangeError)
  })
})
