// Client retries over real loopback TCP: with the aggregator down, a submission retries with backoff and stops at the deadline.
import assert from 'node:assert/strict'
import { PROTOCOLS } from '../../protocol/messages/index.ts'
import { countOutboundStreams } from '../helpers/outbound-streams.ts'
import { startFederation, waitUntil } from '../helpers/federation.ts'
import type { TestFederation } from '../helpers/federation.ts'

/**
 * The round's deadline: the test waits it out, so short, but the retry backoff (0.2 s, doubling)
 * fits several attempts into it even on a loaded machine.
 */
const DEADLINE_S = 5

describe('client retries', function () {
  this.timeout(60_000)
  let federation: TestFederation

  before(async () => { federation = await startFederation({ clients: 3 }) })
  after(async () => { await federation?.stop() })

  it('retries while the aggregator is down and stops at the deadline with SubmissionDeadlineError', async () => {
    const { coordinator, aggregator, clients } = federation
    const client = clients[0]!
    // Down before the round opens, so that the deadline's whole window is spent retrying.
    await aggregator.stop()
    const round = await coordinator.openRound({ length: 2, encoding: 'int:32', minParticipants: 3, deadlineSeconds: DEADLINE_S, aggregator: aggregator.peerId })
    await waitUntil(async () => (await client.round(round.roundId)) !== undefined, 'announcement')
    const attempts = countOutboundStreams(client, PROTOCOLS.submit)
    const started = Date.now()
    try {
      await assert.rejects(client.submit([1, 2], { roundId: round.roundId }), { name: 'SubmissionDeadlineError' })
    } finally {
      attempts.restore()
    }
    const elapsed = Date.now() - started
    // It kept trying until the deadline rather than giving up on the first refused dial.
    assert.ok(attempts.count >= 2, `expected the client to try the aggregator more than once, it tried ${attempts.count} times`)
    assert.ok(round.deadlineMs - Date.now() < 500, `gave up ${round.deadlineMs - Date.now()} ms before the deadline`)
    assert.ok(elapsed < DEADLINE_S * 1000 + 5_000, `took ${elapsed} ms`)
    assert.equal((await client.round(round.roundId))?.counted, undefined)
  })
})
