// An aggregator that missed a round's announcement: every client submitting while it fetches the round from the coordinator gets a receipt.
import assert from 'node:assert/strict'
import { DEFAULT_CONFIG } from '../../config/index.ts'
import { federationTopic } from '../../protocol/messages/index.ts'
import type { SignedPayload } from '../../protocol/messages/index.ts'
import { startFederation, waitUntil } from '../helpers/federation.ts'
import type { TestFederation } from '../helpers/federation.ts'

/** Long enough that every concurrent submission reaches the aggregator while its fetch is still in flight. */
const FETCH_DELAY_MS = 1_000

describe('aggregator catch-up on a missed announcement', function () {
  this.timeout(120_000)
  let federation: TestFederation

  // No periodic poll here: only the submissions' catch-up may bring the round to the aggregator.
  before(async () => { federation = await startFederation({ clients: 4, aggregatorOverrides: { round: { ...DEFAULT_CONFIG.round, openRoundsPollSeconds: 0 } } }) })
  after(async () => { await federation?.stop() })

  it('makes every submission that arrives during the fetch wait for it, instead of refusing it as an unknown round', async () => {
    const { coordinator, aggregator, clients } = federation
    const topic = federationTopic('test')
    // The aggregator stops listening to gossip, so it misses the announcement, and stays connected, so nothing else catches it up.
    aggregator.libp2p.services.pubsub.unsubscribe(topic)
    await waitUntil(() => !coordinator.libp2p.services.pubsub.getSubscribers(topic).some(peer => peer.toString() === aggregator.peerId),
      'the coordinator to see the aggregator unsubscribed')
    const membership = aggregator.libp2p.services.membership
    const fetchOpenRounds = membership.fetchOpenRounds.bind(membership)
    let fetches = 0
    membership.fetchOpenRounds = async (signal: AbortSignal): Promise<SignedPayload[]> => {
      fetches++
      await new Promise(resolve => setTimeout(resolve, FETCH_DELAY_MS))
      return fetchOpenRounds(signal)
    }

    const round = await coordinator.openRound({ length: 2, encoding: 'int:32', minParticipants: clients.length, deadlineSeconds: 20 })
    await Promise.all(clients.map(async client => waitUntil(async () => (await client.round(round.roundId)) !== undefined, 'announcement')))
    assert.equal((await aggregator.rounds()).length, 0, 'the aggregator heard the announcement after all')
    const receipts = await Promise.all(clients.map(async (client, i) => client.submit([i, 10 * i], { roundId: round.roundId })))

    assert.deepEqual(new Set(receipts.map(r => r.index)), new Set([0, 1, 2, 3]))
    assert.equal(fetches, 1, 'one fetch served every submission')
    // Clients retry an unknown round, so only the aggregator's count shows whether any submission was refused.
    assert.equal(await rejections(aggregator, 'UnknownRoundError'), 0)
    const result = await coordinator.waitForResult(round.roundId, { signal: AbortSignal.timeout(60_000) })
    assert.deepEqual(result.sum, ['6', '60'])
  })
})

describe('open-rounds poll on a missed announcement', function () {
  this.timeout(120_000)
  let federation: TestFederation

  before(async () => { federation = await startFederation({ clients: 3, aggregatorOverrides: { round: { ...DEFAULT_CONFIG.round, openRoundsPollSeconds: 1 } } }) })
  after(async () => { await federation?.stop() })

  it('brings a round whose announcement gossip never delivered to a member that is connected but submits nothing', async () => {
    const { coordinator, aggregator, clients } = federation
    const topic = federationTopic('test')
    aggregator.libp2p.services.pubsub.unsubscribe(topic)
    await waitUntil(() => !coordinator.libp2p.services.pubsub.getSubscribers(topic).some(peer => peer.toString() === aggregator.peerId),
      'the coordinator to see the aggregator unsubscribed')
    const round = await coordinator.openRound({ length: 2, encoding: 'int:32', minParticipants: clients.length, deadlineSeconds: 30 })
    await waitUntil(async () => (await aggregator.rounds()).some(view => view.roundId === round.roundId), 'the aggregator to learn of the round by polling', 10_000)
  })
})

/** The aggregator's count of submissions refused for `reason`, from its Prometheus registry. */
async function rejections (node: TestFederation['aggregator'], reason: string): Promise<number> {
  const text = await node.metrics.render()
  const match = new RegExp(`^fedagg_submissions_rejected_total\\{[^}]*reason="${reason}"[^}]*\\} (\\d+)$`, 'm').exec(text)
  return match === null ? 0 : Number(match[1])
}
