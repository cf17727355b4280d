// Chunk sizes are each sender's own choice: nodes configured with different chunkCiphertexts still complete a round.
import assert from 'node:assert/strict'
import { DEFAULT_CONFIG } from '../../config/index.ts'
import { startFederation, waitUntil } from '../helpers/federation.ts'
import type { TestFederation } from '../helpers/federation.ts'

/** At 2048 bits about 55 int:32 values pack into one ciphertext: 500 values need about ten. */
const LENGTH = 500

describe('chunk sizes across nodes', function () {
  this.timeout(120_000)
  let federation: TestFederation

  // The aggregator sends (and once accepted only) one ciphertext per chunk; clients and coordinator use the default of 64.
  before(async () => { federation = await startFederation({ clients: 3, aggregatorOverrides: { round: { ...DEFAULT_CONFIG.round, chunkCiphertexts: 1 } } }) })
  after(async () => { await federation?.stop() })

  it('accepts chunks larger than the receiver\'s own setting, up to the protocol limit', async () => {
    const { coordinator, clients } = federation
    const round = await coordinator.openRound({ length: LENGTH, encoding: 'int:32', minParticipants: 3, deadlineSeconds: 30 })
    await Promise.all(clients.map(async client => waitUntil(async () => (await client.round(round.roundId)) !== undefined, 'announcement')))
    const vectors = clients.map((_, c) => Array.from({ length: LENGTH }, (_, i) => i + c))
    await Promise.all(clients.map(async (client, c) => client.submit(vectors[c]!, { roundId: round.roundId })))
    const result = await coordinator.waitForResult(round.roundId, { signal: AbortSignal.timeout(60_000) })
    assert.equal(result.status, 'decrypted')
    assert.deepEqual(result.sum, Array.from({ length: LENGTH }, (_, i) => String(3 * i + 3)))
  })
})
