// Tests the bigint <-> big-endian / little-endian byte conversions.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import {
  bigintToLittleEndian, bigintToMinimalBytes, byteLength, bytesToBigint, littleEndianToBigint, writeFixedWidth
} from '../../../protocol/paillier/bytes.ts'

describe('paillier/bytes', () => {
  it('minimal bytes are big-endian without leading zeros, empty for 0', () => {
    assert.deepEqual([...bigintToMinimalBytes(0n)], [])
    assert.deepEqual([...bigintToMinimalBytes(1n)], [1])
    assert.deepEqual([...bigintToMinimalBytes(0x1234n)], [0x12, 0x34])
    assert.deepEqual([...bigintToMinimalBytes(0x123n)], [0x01, 0x23])
    assert.equal(byteLength(0x123n), 2)
    assert.equal(byteLength(0n), 0)
    assert.throws(() => bigintToMinimalBytes(-1n), RangeError)
  })

  it('fixed width pads on the left and refuses values that do not fit', () => {
    assert.deepEqual([...writeFixedWidth(0x0102n, 4)], [0, 0, 1, 2])
    assert.deepEqual([...writeFixedWidth(0n, 3)], [0, 0, 0])
    assert.deepEqual([...writeFixedWidth(0n, 0)], [])
    assert.throws(() => writeFixedWidth(0x10000n, 2), RangeError)
    const target = new Uint8Array(6).fill(9)
    writeFixedWidth(0xabn, 2, target, 3)
    assert.deepEqual([...target], [9, 9, 9, 0, 0xab, 9])
  })

  it('reads what it writes, at any offset and width', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: (1n << 1024n) - 1n }), fc.nat(5), (x, extra) => {
      const width = byteLength(x) + extra
      const buffer = new Uint8Array(width + 7)
      writeFixedWidth(x, width, buffer, 3)
      return bytesToBigint(buffer, 3, width) === x && bytesToBigint(bigintToMinimalBytes(x)) === x
    }))
  })

  it('little-endian conversions reverse the byte order', () => {
    assert.deepEqual([...bigintToLittleEndian(0x0102n, 3)], [2, 1, 0])
    assert.equal(littleEndianToBigint(Uint8Array.of(2, 1, 0)), 0x0102n)
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: (1n << 600n) - 1n }), x => littleEndianToBigint(bigintToLittleEndian(x, 75)) === x))
  })

  it('littleEndianToBigint zeroes its reversed copy (it carries encryption randomness) and leaves the input alone', () => {
    // The copy is internal, so catch it as it is reversed.
    const reversed: Uint8Array[] = []
    const reverse = Uint8Array.prototype.reverse
    Uint8Array.prototype.reverse = function (this: Uint8Array) {
      reversed.push(this)
      return Reflect.apply(reverse, this, []) as Uint8Array
    } as typeof reverse
    const input = Uint8Array.of(2, 1, 0xff)
    try {
      assert.equal(littleEndianToBigint(input), 0xff0102n)
    } finally {
      Uint8Array.prototype.reverse = reverse
    }
    assert.equal(reversed.length, 1)
    assert.notEqual(reversed[0], input)
    assert.deepEqual([...reversed[0]!], [0, 0, 0])
    assert.deepEqual([...input], [2, 1, 0xff])
  })
})
