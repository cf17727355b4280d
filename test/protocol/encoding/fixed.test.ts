// Tests the fixed:<f> encoding: clipping, quantization bound, offset, decoding, non-finite values.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { decodeFixedSum, encodeFixedValue, fixedMaxValue, fixedOffset } from '../../../protocol/encoding/fixed.ts'
import type { FixedEncoding } from '../../../protocol/encoding/fixed.ts'

const fixed = (fractionBits: number, clip: number): FixedEncoding => ({ kind: 'fixed', fractionBits, clip })

describe('protocol/encoding/fixed', () => {
  it('offsets by Q = ceil(C·2^f), so encoded values are in [0, 2Q]', () => {
    const encoding = fixed(16, 1)
    const offset = fixedOffset(encoding)
    assert.equal(offset, 65536n)
    assert.equal(fixedMaxValue(encoding), 131072n)
    assert.equal(encodeFixedValue(0, encoding, offset, 0), 65536n)
    assert.equal(encodeFixedValue(1, encoding, offset, 0), 131072n)
    assert.equal(encodeFixedValue(-1, encoding, offset, 0), 0n)
    assert.equal(encodeFixedValue(0.5, encoding, offset, 0), 65536n + 32768n)
    // A clip that is not a multiple of 2^−f rounds the offset up: 0.1·2^4 = 1.6 -> 2.
    assert.equal(fixedOffset(fixed(4, 0.1)), 2n)
  })

  it('clips finite outliers to [−C, C]', () => {
    const encoding = fixed(8, 2)
    const offset = fixedOffset(encoding)
    assert.equal(encodeFixedValue(1e300, encoding, offset, 0), fixedMaxValue(encoding))
    assert.equal(encodeFixedValue(-3, encoding, offset, 0), 0n)
    assert.equal(encodeFixedValue(Number.MIN_VALUE, encoding, offset, 0), offset)
  })

  it('refuses NaN, ±Infinity and non-numbers with NonFiniteValueError naming the index', () => {
    const encoding = fixed(8, 2)
    for (const value of [Number.NaN, Infinity, -Infinity, 1n, '1']) {
      assert.throws(() => encodeFixedValue(value, encoding, fixedOffset(encoding), 7), (err: Error & { index?: number }) => {
        assert.equal(err.name, 'NonFiniteValueError')
        assert.equal(err.index, 7)
        assert.match(err.message, /^value 7: expected a finite number/)
        return true
      })
    }
  })

  it('quantizes within 2^−(f+1) of the clipped value and stays in [0, 2Q] (property)', () => {
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 40 }),
      fc.double({ min: 1e-3, max: 1e6, noNaN: true }),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      (fractionBits, clip, x) => {
        fc.pre(Math.ceil(clip * 2 ** fractionBits) <= Number.MAX_SAFE_INTEGER)
        const encoding = fixed(fractionBits, clip)
        const offset = fixedOffset(encoding)
        const encoded = encodeFixedValue(x, encoding, offset, 0)
        assert.ok(encoded >= 0n && encoded <= fixedMaxValue(encoding))
        const clipped = Math.min(clip, Math.max(-clip, x))
        const decoded = decodeFixedSum(encoded, 1n, offset, encoding)
        // Both sides are multiples of 2^−(f+k) for small exponents; compare exactly on the 2^f scale.
        assert.ok(Math.abs(decoded * 2 ** fractionBits - clipped * 2 ** fractionBits) <= 0.5)
      }
    ), { numRuns: 500 })
  })

  it('decodes a sum by subtracting Q × weightSum and scaling by 2^−f', () => {
    const encoding = fixed(4, 1)
    const offset = fixedOffset(encoding) // 16
    const encoded = [0.25, -0.5, 1].map(x => encodeFixedValue(x, encoding, offset, 0))
    const sum = encoded.reduce((a, b) => a + b, 0n)
    assert.equal(decodeFixedSum(sum, 3n, offset, encoding), 0.75)
    // Weighted: slot holds Σ w·(q + Q); subtracting Q·Σw leaves Σ w·q.
    const weighted = 2n * encoded[0]! + 5n * encoded[1]!
    assert.equal(decodeFixedSum(weighted, 7n, offset, encoding), 2 * 0.25 + 5 * -0.5)
  })
})
