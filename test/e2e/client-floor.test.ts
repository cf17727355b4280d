// A client's own quorum floor (config client.minParticipants): it refuses rounds announced below it and sends nothing.
import assert from 'node:assert/strict'
import { DEFAULT_CONFIG } from '../../config/index.ts'
import { PROTOCOLS } from '../../protocol/messages/index.ts'
import { startFederation, waitUntil } from '../helpers/federation.ts'
import type { TestFederation } from '../helpers/federation.ts'
import { countOutboundStreams } from '../helpers/outbound-streams.ts'

describe('client quorum floor', function () {
  this.timeout(120_000)
  let federation: TestFederation

  before(async () => { federation = await startFederation({ clients: 3 }) })
  after(async () => { await federation?.stop() })

  it('refuses a round of 3 on a client whose floor is 5, typed and without opening any stream', async () => {
    const { coordinator, clients } = federation
    const picky = await federation.addNode(['client'], { overrides: { client: { ...DEFAULT_CONFIG.client, minParticipants: 5 } } })
    const round = await coordinator.openRound({ length: 2, encoding: 'int:32', minParticipants: 3, deadlineSeconds: 15 })
    for (const client of [...clients, picky]) await waitUntil(async () => (await client.round(round.roundId)) !== undefined, 'announcement')
    const opened = Object.values(PROTOCOLS).map(protocol => countOutboundStreams(picky, protocol))
    try {
      await assert.rejects(picky.submit([1, 2], { roundId: round.roundId }), { name: 'QuorumBelowClientFloorError', message: /minParticipants 3, below this client's floor of 5/ })
    } finally {
      for (const counter of opened) counter.restore()
    }
    assert.deepEqual(opened.map(counter => counter.count), opened.map(() => 0), 'the refusing client opened no fedagg stream')
    // The others still complete the round without it.
    await Promise.all(clients.map(async (client, i) => client.submit([i, 1], { roundId: round.roundId })))
    const result = await coordinator.waitForResult(round.roundId, { signal: AbortSignal.timeout(60_000) })
    assert.equal(result.status, 'decrypted')
    assert.equal(result.contributors, 3)
  })
})
