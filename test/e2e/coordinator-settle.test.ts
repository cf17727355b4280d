// Coordinator settle over real loopback TCP: with the aggregator gone before the deadline, the round fails once deadline + grace has passed.
import assert from 'node:assert/strict'
import { PROTOCOLS } from '../../protocol/messages/index.ts'
import { DEFAULT_CONFIG } from '../../config/defaults.ts'
import { countOutboundStreams } from '../helpers/outbound-streams.ts'
import { startFederation, waitUntil } from '../helpers/federation.ts'
import type { TestFederation } from '../helpers/federation.ts'

/**
 * The coordinator's round.settleGraceSeconds. Polling backs off from 0.2 s, doubling, so 3 s holds
 * several pulls, and a settle timer that fires late on a loaded machine still leaves time for more.
 */
const SETTLE_GRACE_S = 3

/** Long enough for three clients to submit before the aggregator is stopped, even on a loaded machine. */
const DEADLINE_S = 6

describe('coordinator settle', function () {
  this.timeout(60_000)
  let federation: TestFederation

  before(async () => {
    federation = await startFederation({ clients: 4, coordinatorOverrides: { round: { ...DEFAULT_CONFIG.round, settleGraceSeconds: SETTLE_GRACE_S } } })
  })
  after(async () => { await federation?.stop() })

  it('fails the round with "no usable aggregate" once deadline + grace has passed, having polled, and decrypts nothing', async () => {
    const { coordinator, aggregator, clients } = federation
    const round = await coordinator.openRound({ length: 2, encoding: 'int:32', minParticipants: 3, deadlineSeconds: DEADLINE_S, aggregator: aggregator.peerId })
    await Promise.all(clients.map(async client => waitUntil(async () => (await client.round(round.roundId)) !== undefined, 'announcement')))
    // Quorum is met, so only the aggregator's absence can fail the round; client 3 stays silent so the
    // aggregator does not close the round early once every eligible client has contributed.
    await Promise.all(clients.slice(0, 3).map(async (client, i) => client.submit([i + 1, 10 * (i + 1)], { roundId: round.roundId })))
    const pulls = countOutboundStreams(coordinator, PROTOCOLS.aggregate)
    let result
    try {
      await aggregator.stop()
      assert.ok(Date.now() < round.deadlineMs, `the aggregator stopped ${Date.now() - round.deadlineMs} ms after the deadline; raise DEADLINE_S`)
      assert.equal(await coordinator.result(round.roundId), undefined)
      result = await coordinator.waitForResult(round.roundId, { signal: AbortSignal.timeout(30_000) })
    } finally {
      pulls.restore()
    }
    assert.equal(result.status, 'failed')
    assert.match(result.reason ?? '', /^no usable aggregate: /)
    assert.deepEqual(result.sum, [])
    // Decided only once the grace had run out ...
    const decidedAfterDeadlineMs = result.decryptedAtMs - round.deadlineMs
    assert.ok(decidedAfterDeadlineMs >= SETTLE_GRACE_S * 1000, `failed the round ${decidedAfterDeadlineMs} ms after the deadline, before the ${SETTLE_GRACE_S} s grace ran out`)
    // ... and not on the first refused dial: it kept asking through what was left of the grace.
    assert.ok(pulls.count >= 2, `expected the coordinator to pull the aggregate more than once, it tried ${pulls.count} times`)

    const view = await coordinator.round(round.roundId)
    assert.equal(view?.status, 'failed')
    assert.match(view?.reason ?? '', /^no usable aggregate: /)
    const metrics = await coordinator.metrics.render()
    assert.equal(counter(metrics, 'fedagg_decryptions_total'), 0)
    assert.equal(counter(metrics, 'fedagg_rounds_failed_total'), 1)
    // The failure is published: a client learns it from the coordinator's gossip.
    const published = await clients[3]!.waitForResult(round.roundId, { signal: AbortSignal.timeout(30_000) })
    assert.equal(published.status, 'failed')
    assert.equal(published.reason, result.reason)
  })
})

/** The sum of a Prometheus counter over all its label sets. */
function counter (metrics: string, name: string): number {
  return [...metrics.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)$`, 'gm'))].reduce((sum, match) => sum + Number(match[1]), 0)
}
