// Round gauges and outcome counters over a real loopback federation: open rounds, contributions per open round, one failure reason on coordinator and aggregator.
import assert from 'node:assert/strict'
import { DEFAULT_CONFIG } from '../../config/defaults.ts'
import { ROUND_FAILURE_REASONS } from '../../protocol/round/index.ts'
import { sumSamples } from '../../node/metrics/prometheus-text.ts'
import type { RunningNode } from '../../node/running-node.ts'
import { startFederation, submitOnceProven, waitUntil } from '../helpers/federation.ts'
import type { TestFederation } from '../helpers/federation.ts'

/** Long enough for the submissions below on a loaded machine; the failing round waits this out. */
const DEADLINE_S = 8

describe('round metrics', function () {
  this.timeout(90_000)
  let federation: TestFederation

  before(async () => {
    federation = await startFederation({ clients: 3, coordinatorOverrides: { round: { ...DEFAULT_CONFIG.round, settleGraceSeconds: 2 } } })
  })
  after(async () => { await federation?.stop() })

  const scrape = async (node: RunningNode): Promise<string> => node.metrics.render()

  it('counts open rounds and each open round\'s contributions as they arrive, then drops the round once decided', async () => {
    const { coordinator, aggregator, clients } = federation
    assert.equal(sumSamples(await scrape(aggregator), 'fedagg_open_rounds'), 0)
    const round = await coordinator.openRound({ length: 2, encoding: 'int:32', minParticipants: 3, deadlineSeconds: 60, aggregator: aggregator.peerId })
    await Promise.all([aggregator, ...clients].map(async node => waitUntil(async () => (await node.round(round.roundId)) !== undefined, 'announcement')))
    assert.equal(sumSamples(await scrape(coordinator), 'fedagg_open_rounds'), 1)
    assert.equal(sumSamples(await scrape(aggregator), 'fedagg_open_rounds'), 1)
    const series = new RegExp(`^fedagg_round_contributions\\{round_id="${round.roundId}"[^}]*\\} (\\d+)$`, 'm')
    assert.equal(series.exec(await scrape(aggregator))?.[1], '0')
    for (const [i, client] of clients.slice(0, 2).entries()) {
      await submitOnceProven(client, [i, i], round.roundId)
      assert.equal(series.exec(await scrape(aggregator))?.[1], String(i + 1))
    }
    await clients[2]!.submit([5, 5], { roundId: round.roundId })
    const result = await coordinator.waitForResult(round.roundId, { signal: AbortSignal.timeout(60_000) })
    assert.equal(result.status, 'decrypted')
    await waitUntil(async () => sumSamples(await scrape(aggregator), 'fedagg_open_rounds') === 0, 'aggregator open rounds back to 0')
    assert.equal(sumSamples(await scrape(coordinator), 'fedagg_open_rounds'), 0)
    assert.doesNotMatch(await scrape(aggregator), series)
  })

  it('labels a round without quorum with the same reason code on coordinator and aggregator', async () => {
    const { coordinator, aggregator, clients } = federation
    const round = await coordinator.openRound({ length: 2, encoding: 'int:32', minParticipants: 3, deadlineSeconds: DEADLINE_S, aggregator: aggregator.peerId })
    await waitUntil(async () => (await clients[0]!.round(round.roundId)) !== undefined, 'announcement')
    await clients[0]!.submit([1, 1], { roundId: round.roundId })
    const result = await coordinator.waitForResult(round.roundId, { signal: AbortSignal.timeout(60_000) })
    assert.equal(result.status, 'failed')
    const quorum = `^fedagg_rounds_failed_total\\{reason="${ROUND_FAILURE_REASONS.quorum}"[^}]*\\} 1$`
    assert.match(await scrape(coordinator), new RegExp(quorum, 'm'))
    assert.match(await scrape(aggregator), new RegExp(quorum, 'm'))
  })
})
