// Must-show: the decrypted weighted mean of fixed-point updates equals the plaintext weighted mean within 2^−(f+1).
//
// Each client's update is encoded, packed and encrypted under the committed 2048-bit test key,
// the ciphertexts are multiplied as the aggregator does, and the coordinator's decrypt, unpack and
// decode give the weighted mean the session applies to its model.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { decodeAggregate, encodeAndPack, planPacking, unpackAggregate } from '../../../protocol/encoding/index.ts'
import { addCiphertexts, decrypt, encryptOneOff } from '../../../protocol/paillier/index.ts'
import { applyRoundOutcome, quantizationBound, resolveSessionSettings, sessionVectorSpec, startSession } from '../../../protocol/training/index.ts'
import { testKey } from '../paillier/fixtures.ts'

interface Case {
  fractionBits: number
  clip: number
  weightBits: number
  clients: Array<{ weight: number, update: number[] }>
}

const caseArbitrary: fc.Arbitrary<Case> = fc.record({
  fractionBits: fc.integer({ min: 4, max: 30 }),
  clip: fc.double({ min: 0.01, max: 8, noNaN: true }),
  weightBits: fc.integer({ min: 1, max: 20 }),
  length: fc.integer({ min: 1, max: 60 }),
  count: fc.integer({ min: 3, max: 6 })
}).chain(({ fractionBits, clip, weightBits, length, count }) => fc.record({
  fractionBits: fc.constant(fractionBits),
  clip: fc.constant(clip),
  weightBits: fc.constant(weightBits),
  clients: fc.array(fc.record({
    weight: fc.integer({ min: 1, max: 2 ** weightBits - 1 }),
    // Up to twice the clip bound, so some values are clipped.
    update: fc.array(fc.double({ min: -2 * clip, max: 2 * clip, noNaN: true }), { minLength: length, maxLength: length })
  }), { minLength: count, maxLength: count })
}))

/** Σ w·clip(x) / Σ w per position, in exact rationals scaled by 2^f would be overkill: doubles hold it to ~1e−15 relative. */
function plaintextWeightedMean (clients: Case['clients'], clip: number): number[] {
  const weightSum = clients.reduce((sum, client) => sum + client.weight, 0)
  const length = clients[0]!.update.length
  return Array.from({ length }, (_, i) =>
    clients.reduce((sum, client) => sum + client.weight * Math.min(clip, Math.max(-clip, client.update[i]!)), 0) / weightSum)
}

describe('training: decrypted weighted mean', function () {
  this.timeout(120_000)
  const key = testKey(2048)

  it('equals the plaintext weighted mean of the clipped updates within 2^−(f+1), and the next model moves by it', () => {
    fc.assert(fc.property(caseArbitrary, ({ fractionBits, clip, weightBits, clients }) => {
      const settings = resolveSessionSettings({ fractionBits, clip, weightBits, rounds: 2 })
      const spec = sessionVectorSpec(settings, clients[0]!.update.length, clients.length)
      const plan = planPacking(spec, key.publicKey.bits)
      const encrypted = clients.map(client =>
        encodeAndPack(spec, plan, client.update, client.weight).map(m => encryptOneOff(key.publicKey, m)))
      const aggregate = encrypted.reduce((sum, ciphertexts) => sum.map((c, i) => addCiphertexts(key.publicKey, c, ciphertexts[i]!)))
      const decoded = decodeAggregate(spec, plan, unpackAggregate(plan, aggregate.map(c => decrypt(key, c))))

      const expected = plaintextWeightedMean(clients, clip)
      const totalWeight = clients.reduce((sum, client) => sum + client.weight, 0)
      assert.equal(decoded.weightSum, BigInt(totalWeight))
      assert.equal(decoded.count, clients.length)
      // The bound of fixed.ts, plus a few ulps for the two roundings to double (decode and the reference).
      const bound = quantizationBound(settings) + 8 * Number.EPSILON * clip
      const mean = decoded.mean!
      for (const [i, value] of mean.entries()) {
        assert.ok(Math.abs(value - expected[i]!) <= bound, `value ${i}: |${value} − ${expected[i]}| > ${bound}`)
      }

      const global = Float64Array.from(expected, (_, i) => i / 7)
      const state = startSession('s-test', settings, global)
      const step = applyRoundOutcome(state, global, 0, {
        status: 'decrypted',
        contributors: clients.map((_, i) => `client-${i}`),
        weightedMean: mean,
        weightSum: totalWeight
      })
      for (const [i, value] of step.model.entries()) {
        assert.ok(Math.abs(value - (global[i]! + expected[i]!)) <= bound + Number.EPSILON * 8, `parameter ${i} moved by more than the bound`)
      }
    }), { numRuns: 25, seed: 20261202 })
  })
})
