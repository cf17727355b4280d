// Tests the pool's batch format: fixed-width plaintexts round-trip, and bad lengths are refused.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { decodePlaintextBatch, encodePlaintextBatch, plaintextByteLength } from '../../../node/crypto/encrypt-batch.ts'
import { testKey, throwsNamed } from '../../protocol/paillier/fixtures.ts'

describe('node/crypto/encrypt-batch', () => {
  const pk = testKey(2048).publicKey

  it('round-trips plaintexts in [0, n) at the byte length of n', () => {
    assert.equal(plaintextByteLength(pk), 256)
    fc.assert(fc.property(fc.array(fc.bigInt({ min: 0n, max: pk.n - 1n }), { maxLength: 5 }), ms => {
      const bytes = encodePlaintextBatch(pk, ms)
      const back = decodePlaintextBatch(pk, bytes)
      return bytes.length === 256 * ms.length && back.length === ms.length && back.every((m, i) => m === ms[i])
    }))
  })

  it('refuses a length that is not a multiple of the width', () => {
    assert.throws(() => decodePlaintextBatch(pk, new Uint8Array(255)), throwsNamed('PlaintextBatchWidthError'))
  })
})
