// A member other than the coordinator keeps only the newest gossiped results in memory, and answers them exactly.
import assert from 'node:assert/strict'
import { startFederation, waitUntil } from '../helpers/federation.ts'
import type { TestFederation } from '../helpers/federation.ts'

/** GOSSIPED_RESULTS_KEPT in node/running-node.ts, plus one. */
const ROUNDS = 17

describe('gossiped results on a member', function () {
  this.timeout(180_000)
  let federation: TestFederation

  after(async () => { await federation?.stop() })

  it('answers the newest 16 rounds from gossip and drops older values, so a long session does not grow its memory', async () => {
    federation = await startFederation({ clients: 3 })
    const { coordinator, clients } = federation
    const [client] = clients
    const roundIds: string[] = []
    for (let r = 0; r < ROUNDS; r++) {
      const round = await coordinator.openRound({ length: 2, encoding: 'int:32', minParticipants: 3, deadlineSeconds: 30 })
      await Promise.all(clients.map(async c => waitUntil(async () => (await c.round(round.roundId)) !== undefined, 'announcement')))
      await Promise.all(clients.map(async (c, i) => c.submit([r, i], { roundId: round.roundId })))
      const result = await client!.waitForResult(round.roundId, { signal: AbortSignal.timeout(60_000) })
      assert.deepEqual(result.sum, [String(3 * r), '3'])
      roundIds.push(round.roundId)
    }
    // The oldest result's values were dropped, and the node says so rather than wait for them; its outcome stays.
    await assert.rejects(client!.result(roundIds[0]!), (err: Error) => err.name === 'ResultNotHeldError')
    assert.equal((await client!.round(roundIds[0]!))?.status, 'decrypted')
    assert.deepEqual((await client!.result(roundIds[1]!))?.sum, ['3', '3'])
    assert.equal((await coordinator.result(roundIds[0]!))?.status, 'decrypted', 'the coordinator still has it in its store')
  })
})
