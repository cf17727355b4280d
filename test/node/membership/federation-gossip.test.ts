// FederationGossip's lifecycle against a stand-in pubsub: waits for subscribers, stops them on stop(), unsubscribes handlers.
import assert from 'node:assert/strict'
import { logger } from '@libp2p/logger'
import type { GossipSub, Message, SubscriptionChangeData } from '@libp2p/gossipsub'
import { FederationGossip } from '../../../node/membership/federation-gossip.ts'
import { encodeFederationEvent, federationTopic } from '../../../protocol/messages/index.ts'
import type { SignedPayload } from '../../../protocol/messages/index.ts'

const FEDERATION = 'gossip-test'
const TOPIC = federationTopic(FEDERATION)

/** Just the GossipSub surface FederationGossip uses; publish reaches `recipients` peers. */
class StandInPubSub extends EventTarget {
  recipients: string[] = []
  readonly published: Uint8Array[] = []
  readonly topicValidators = new Map<string, unknown>()
  subscribe (): void {}
  unsubscribe (): void {}
  async publish (_topic: string, data: Uint8Array): Promise<{ recipients: string[] }> {
    this.published.push(data)
    return { recipients: this.recipients }
  }

  peerSubscribes (): void {
    const detail = { peerId: 'peer', subscriptions: [{ topic: TOPIC, subscribe: true }] } as unknown as SubscriptionChangeData
    this.dispatchEvent(new CustomEvent('subscription-change', { detail }))
  }

  deliver (data: Uint8Array): void {
    const detail = { type: 'signed', topic: TOPIC, data } as unknown as Message
    this.dispatchEvent(new CustomEvent('message', { detail }))
  }
}

const document: SignedPayload = { domain: 'fedagg/result/1', payload: Uint8Array.of(1), signer: 'coordinator', signature: Uint8Array.of(2) }

describe('node/membership federation-gossip', () => {
  let pubsub: StandInPubSub
  let gossip: FederationGossip

  beforeEach(() => {
    pubsub = new StandInPubSub()
    gossip = new FederationGossip({
      pubsub: () => pubsub as unknown as GossipSub,
      federationId: FEDERATION,
      roles: { hasRole: () => true },
      log: logger('fedagg:test:gossip')
    })
  })

  it('holds a publish that reached nobody until a peer subscribes, then sends it again', async () => {
    gossip.start()
    let settled = false
    const publishing = gossip.publish('result', document).then(() => { settled = true })
    await new Promise(resolve => setImmediate(resolve))
    assert.equal(settled, false)
    pubsub.recipients = ['peer']
    pubsub.peerSubscribes()
    await publishing
    // Once for the first try and once for the subscriber: the republish and the retry both went out.
    assert.ok(pubsub.published.length >= 2)
    gossip.stop()
  })

  it('rejects a publish begun before start() with GossipStoppedError when the node stops', async () => {
    // Role services start inside the host's start and may publish before gossip.start() runs.
    const early = gossip.publish('result', document)
    await new Promise(resolve => setImmediate(resolve)) // now waiting for a subscriber
    gossip.start()
    gossip.stop()
    await assert.rejects(early, { name: 'GossipStoppedError' })
  })

  it('stops delivering to a handler once it unsubscribes', () => {
    gossip.start()
    const seen: SignedPayload[] = []
    const unsubscribe = gossip.on('result', signed => { seen.push(signed) })
    pubsub.deliver(encodeFederationEvent('result', document))
    unsubscribe()
    pubsub.deliver(encodeFederationEvent('result', document))
    assert.equal(seen.length, 1)
    assert.deepEqual(seen[0]?.signature, document.signature)
    gossip.stop()
  })
})
