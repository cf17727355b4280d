// Client retries over real loopback TCP: with the aggregator down, a submission retries with backoff and stops at the deadline.
import assert from 'node:assert/strict'
import { startFederation, waitUntil } from '../helpers/federation.ts'
import type { TestFederation } from '../helpers/federation.ts'

describe('client retries', function () {
  this.timeout(60_000)
  let federation: TestFederation

  before(async () => { federation = await startFederation({ clients: 2 }) })
  after(async () => { await federation?.stop() })

  it('retries while the aggregator is down and stops at the deadline with SubmissionDeadlineError', async () => {
    const { coordinator, aggregator, clients } = federation
    const client = clients[0]!
    const round = await coordinator.openRound({ length: 2, encoding: 'int:32', minParticipants: 2, deadlineSeconds: 4 })
    await waitUntil(async () => (await client.round(round.roundId)) !== undefined, 'announcement')
    await aggregator.stop()
    const started = Date.now()
    await assert.rejects(client.submit([1, 2], { roundId: round.roundId }), { name: 'SubmissionDeadlineError' })
    const elapsed = Date.now() - started
    // It kept trying until the deadline rather than giving up on the first refused dial.
    assert.ok(round.deadlineMs - Date.now() < 500, `gave up ${round.deadlineMs - Date.now()} ms before the deadline`)
    assert.ok(elapsed < 10_000, `took ${elapsed} ms`)
    assert.equal((await client.round(round.roundId))?.counted, undefined)
  })
})
