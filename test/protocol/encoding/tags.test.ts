// Tests the tag PRF: deterministic per (key, federation, round, index), 64 bits wide, and summed per ciphertext.
import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { TAG_BITS, TAG_KEY_BYTES, deriveTags, expectedTagSums } from '../../../protocol/encoding/index.ts'

const KEY_A = new Uint8Array(TAG_KEY_BYTES).fill(1)
const KEY_B = new Uint8Array(TAG_KEY_BYTES).fill(2)

describe('protocol/encoding/tags', () => {
  it('derives t_j as the first 64 bits of HMAC-SHA-256(key, "fedagg/tag/v1" 0 federation 0 round 0 j)', () => {
    const index = Buffer.alloc(4)
    index.writeUInt32BE(1)
    const mac = createHmac('sha256', KEY_A).update('fedagg/tag/v1\0acme\0r-1\0').update(index).digest()
    assert.equal(deriveTags(KEY_A, 'acme', 'r-1', 2)[1], BigInt('0x' + mac.subarray(0, 8).toString('hex')))
    assert.equal(TAG_BITS, 64)
  })

  it('gives other tags for another key, round, federation or index', () => {
    const [a0, a1] = deriveTags(KEY_A, 'acme', 'r-1', 2)
    assert.notEqual(a0, a1)
    assert.notEqual(deriveTags(KEY_B, 'acme', 'r-1', 1)[0], a0)
    assert.notEqual(deriveTags(KEY_A, 'acme', 'r-2', 1)[0], a0)
    assert.notEqual(deriveTags(KEY_A, 'other', 'r-1', 1)[0], a0)
    assert.deepEqual(deriveTags(KEY_A, 'acme', 'r-1', 2), [a0, a1])
  })

  it('sums the contributors\' tags per ciphertext', () => {
    const a = deriveTags(KEY_A, 'acme', 'r-1', 3)
    const b = deriveTags(KEY_B, 'acme', 'r-1', 3)
    assert.deepEqual(expectedTagSums([KEY_A, KEY_B], 'acme', 'r-1', 3), a.map((t, j) => t + b[j]!))
    assert.deepEqual(expectedTagSums([], 'acme', 'r-1', 2), [0n, 0n])
  })

  it('refuses a key that is not 256 bits', () => {
    assert.throws(() => deriveTags(new Uint8Array(16), 'acme', 'r-1', 1), { name: 'InvalidVectorSpecError' })
  })
})
