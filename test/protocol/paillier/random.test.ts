// Tests the CSPRNG helpers: exponent byte length and masking, uniform ranges, units of Z*_n.
import assert from 'node:assert/strict'
import { gcd } from '../../../protocol/paillier/arith.ts'
import { randomBelow, randomExponentBytes, randomUnit } from '../../../protocol/paillier/random.ts'

describe('paillier/random', () => {
  it('exponent bytes hold exactly the requested bits and are fresh on every draw', () => {
    assert.equal(randomExponentBytes(1024).length, 128)
    let topSeen = 0
    for (let i = 0; i < 200; i++) {
      const bytes = randomExponentBytes(13)
      assert.equal(bytes.length, 2)
      assert.equal(bytes[1]! & 0xe0, 0, 'bits 13..15 must be clear')
      topSeen |= bytes[1]!
    }
    assert.equal(topSeen, 0x1f, 'bits 8..12 are all reachable')
    assert.notDeepEqual(randomExponentBytes(1024), randomExponentBytes(1024))
  })

  it('randomBelow stays below the bound and reaches both halves of it', () => {
    const bound = (1n << 100n) + 12345n
    const draws = Array.from({ length: 200 }, () => randomBelow(bound))
    assert.ok(draws.every(x => x >= 0n && x < bound))
    assert.ok(draws.some(x => x < bound / 2n) && draws.some(x => x >= bound / 2n))
    assert.equal(randomBelow(1n), 0n)
    assert.throws(() => randomBelow(0n), RangeError)
  })

  it('randomUnit returns units of Z*_n', () => {
    const n = 3n * 5n * 7n * 11n
    for (let i = 0; i < 200; i++) {
      const x = randomUnit(n)
      assert.ok(x > 0n && x < n && gcd(n, x) === 1n)
    }
  })
})
