// End to end over real loopback TCP: the reference secure sum, dropouts and quorum.
import assert from 'node:assert/strict'
import { INLINE_DECRYPTION_MAX } from '../../node/crypto/vector-decryptor.ts'
import { parseEncoding, planPacking } from '../../protocol/encoding/index.ts'
import { decryptions, metric, startFederation, waitUntil } from '../helpers/federation.ts'
import type { TestFederation } from '../helpers/federation.ts'

describe('secure sum over a federation', function () {
  this.timeout(120_000)
  let federation: TestFederation

  afterEach(async () => { await federation?.stop() })

  it('sums the reference example: five clients holding [i, i+1] give [10, 15]', async () => {
    federation = await startFederation({ clients: 5 })
    const { coordinator, clients } = federation
    const round = await coordinator.openRound({ length: 2, encoding: 'int:32', minParticipants: 5, deadlineSeconds: 30 })
    await Promise.all(clients.map(async client => waitUntil(async () => (await client.round(round.roundId)) !== undefined, 'announcement')))
    const receipts = await Promise.all(clients.map(async (client, i) => client.submit([i, i + 1], { roundId: round.roundId })))
    assert.deepEqual(new Set(receipts.map(r => r.index)), new Set([0, 1, 2, 3, 4]))
    const result = await coordinator.waitForResult(round.roundId, { signal: AbortSignal.timeout(60_000) })
    assert.equal(result.status, 'decrypted')
    assert.equal(result.contributors, 5)
    assert.deepEqual(result.sum, ['10', '15'])
    // Each client checks the aggregator's signed transcript against its own receipt.
    await Promise.all(clients.map(async client => waitUntil(async () => (await client.round(round.roundId))?.counted === true, 'the client to see itself counted')))
  })
})

/**
 * A round with a dropout runs until its deadline, so the tests below wait it out. Each opens its round
 * only once every client is up and submits as soon as the announcement arrives (about 0.3 s on an idle
 * machine, tag key to the coordinator included); 10 s leaves a machine running a dozen other suites
 * margin while keeping the wait short.
 */
const DROPOUT_DEADLINE_S = 10

describe('rounds with dropouts', function () {
  this.timeout(120_000)
  let federation: TestFederation

  before(async () => { federation = await startFederation({ clients: 4 }) })
  after(async () => { await federation?.stop() })

  it('completes over the clients that submitted when one drops out and quorum holds', async () => {
    const { coordinator, clients } = federation
    const round = await coordinator.openRound({ length: 2, encoding: 'int:32', minParticipants: 3, deadlineSeconds: DROPOUT_DEADLINE_S })
    await Promise.all(clients.map(async client => waitUntil(async () => (await client.round(round.roundId)) !== undefined, 'announcement')))
    // Client 3 never submits.
    await Promise.all(clients.slice(0, 3).map(async (client, i) => client.submit([i + 1, 10 * (i + 1)], { roundId: round.roundId })))
    const result = await coordinator.waitForResult(round.roundId, { signal: AbortSignal.timeout(60_000) })
    assert.equal(result.status, 'decrypted')
    assert.equal(result.contributors, 3)
    assert.deepEqual(result.sum, ['6', '60'])
  })

  it('fails below quorum and decrypts nothing', async () => {
    const { coordinator, clients } = federation
    const decryptionsBefore = await decryptions(coordinator)
    const round = await coordinator.openRound({ length: 2, encoding: 'int:32', minParticipants: 4, deadlineSeconds: DROPOUT_DEADLINE_S })
    await Promise.all(clients.map(async client => waitUntil(async () => (await client.round(round.roundId)) !== undefined, 'announcement')))
    await Promise.all(clients.slice(0, 3).map(async (client, i) => client.submit([i, i], { roundId: round.roundId })))
    const result = await coordinator.waitForResult(round.roundId, { signal: AbortSignal.timeout(60_000) })
    assert.equal(result.status, 'failed')
    assert.deepEqual(result.sum, [])
    assert.match(result.reason ?? '', /quorum not met: 3 of 4/)
    assert.equal(await decryptions(coordinator), decryptionsBefore)
  })
})

describe('federated averaging of long float vectors', function () {
  this.timeout(180_000)
  let federation: TestFederation

  before(async () => { federation = await startFederation({ clients: 3 }) })
  after(async () => { await federation?.stop() })

  it('returns the weighted mean of fixed-point vectors encrypted and decrypted on the worker pools', async () => {
    const { coordinator, clients } = federation
    // Long enough that each client's vector, and so the aggregate, needs more than the one-off limit
    // of 64 ciphertexts (ONE_OFF_ENCRYPTION_MAX, INLINE_DECRYPTION_MAX).
    const length = 5_000
    const { ciphertexts } = planPacking({ length, encoding: parseEncoding('fixed:16', { clip: 2 }), weightBits: 8, maxParticipants: clients.length }, 2048)
    assert.ok(ciphertexts > INLINE_DECRYPTION_MAX)
    const round = await coordinator.openRound({ length, encoding: 'fixed:16', clip: 2, weightBits: 8, minParticipants: 3, deadlineSeconds: 90 })
    await Promise.all(clients.map(async client => waitUntil(async () => (await client.round(round.roundId)) !== undefined, 'announcement')))
    const vectors = clients.map((_, c) => Array.from({ length }, (_, i) => Math.sin(i + c) * 1.5))
    const weights = [1, 2, 5]
    await Promise.all(clients.map(async (client, c) => client.submit(vectors[c]!, { roundId: round.roundId, weight: weights[c]! })))
    const result = await coordinator.waitForResult(round.roundId, { signal: AbortSignal.timeout(120_000) })
    assert.equal(result.status, 'decrypted')
    assert.equal(result.mean.length, length)
    const metrics = await coordinator.metrics.render()
    assert.equal(metric(metrics, 'fedagg_coordinator_ciphertexts_decrypted_total', 'path="pool"'), ciphertexts, 'the aggregate was decrypted on the worker pool')
    assert.equal(metric(metrics, 'fedagg_coordinator_ciphertexts_decrypted_total', 'path="inline"'), 0)
    const totalWeight = weights.reduce((a, b) => a + b, 0)
    // Quantization bound for a weighted mean: 2^-(f+1) per value (protocol/encoding/fixed.ts).
    const bound = 2 ** -17
    for (let i = 0; i < length; i++) {
      const expected = vectors.reduce((sum, vector, c) => sum + vector[i]! * weights[c]!, 0) / totalWeight
      assert.ok(Math.abs(result.mean[i]! - expected) <= bound, `value ${i}: ${result.mean[i]} vs ${expected}`)
    }
  })
})
