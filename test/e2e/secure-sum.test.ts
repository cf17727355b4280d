// End to end over real loopback TCP: the reference secure sum, dropouts and quorum.
import assert from 'node:assert/strict'
import { startFederation, waitUntil } from '../helpers/federation.ts'
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
  })
})
