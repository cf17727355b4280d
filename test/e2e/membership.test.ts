// Membership over real loopback TCP: roster gating at connection time, role checks in handlers, late joiners.
import assert from 'node:assert/strict'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { Uint8ArrayList } from 'uint8arraylist'
import type { Message } from '@libp2p/gossipsub'
import type { StreamCloseEvent } from '@libp2p/interface'
import { PROTOCOLS, WIRE, decodeFederationEvent } from '../../protocol/messages/index.ts'
import { FramedStream } from '../../node/streams/framed-stream.ts'
import { startFederation, waitUntil } from '../helpers/federation.ts'
import type { TestFederation } from '../helpers/federation.ts'

describe('membership', function () {
  this.timeout(120_000)
  let federation: TestFederation

  before(async () => { federation = await startFederation({ clients: 2 }) })
  after(async () => { await federation?.stop() })

  it('refuses a peer that is not on the roster at connection time', async () => {
    const { coordinator } = federation
    const outsider = await federation.addNode(['client'], { admit: false })
    const coordinatorId = peerIdFromString(coordinator.peerId)
    // The coordinator's gater refuses once Noise has authenticated the outsider's peer ID. The
    // dialer may briefly believe it is connected (yamux is selected optimistically), but no
    // stream ever gets through and the coordinator never holds the connection.
    await assert.rejects(outsider.libp2p.dialProtocol(multiaddr(coordinator.multiaddrs()[0]!), PROTOCOLS.roster, { signal: AbortSignal.timeout(5_000) }))
    await waitUntil(() => outsider.libp2p.getConnections(coordinatorId).length === 0, 'the refused connection to close')
    assert.equal(coordinator.libp2p.getConnections(peerIdFromString(outsider.peerId)).length, 0)
    assert.equal(outsider.roster(), undefined)
    await outsider.stop()
  })

  it('refuses a roster client that calls a coordinator-only protocol', async () => {
    const { aggregator, clients } = federation
    const client = clients[0]!
    // Observe, from the aggregator's side, how its inbound aggregate stream ends.
    const served: Array<{ local: boolean | undefined, error: Error | undefined }> = []
    aggregator.libp2p.use(PROTOCOLS.aggregate, (stream, connection, next) => {
      stream.addEventListener('close', (event: StreamCloseEvent) => { served.push({ local: event.local, error: event.error }) }, { once: true })
      next(stream, connection)
    })
    try {
      const stream = await client.libp2p.dialProtocol(multiaddr(aggregator.multiaddrs()[0]!), PROTOCOLS.aggregate, { signal: AbortSignal.timeout(5_000) })
      const framed = new FramedStream(stream, WIRE.AggregateResponseHeader.maxDataLength)
      const signal = AbortSignal.timeout(5_000)
      // The aggregator checks the role before reading anything and resets the stream: the request
      // cannot even be completed, and no header ever comes back.
      await assert.rejects(async () => {
        await framed.write(WIRE.AggregateRequest, { roundId: 'r-anything' }, { signal })
        await framed.read(WIRE.AggregateResponseHeader, { signal })
      }, (err: Error) => {
        assert.ok(!signal.aborted, `expected a reset, got our own timeout: ${err.name}: ${err.message}`)
        return true
      })
      assert.equal(stream.status, 'reset', 'the aggregator reset the stream (not a close, not our own abort)')
      await waitUntil(() => served.length > 0, 'the aggregator\'s side of the stream to end')
      assert.equal(served.length, 1)
      assert.equal(served[0]!.local, true, 'the aggregator ended the stream itself')
      assert.equal(served[0]!.error?.name, 'PeerNotAuthorizedError', `aborted with ${served[0]!.error?.name}: ${served[0]!.error?.message}`)
    } finally {
      aggregator.libp2p.unuse(PROTOCOLS.aggregate)
    }
  })

  it('lets a late joiner fetch the open round directly from the coordinator', async () => {
    const { coordinator } = federation
    // Admitted and listed as eligible while offline.
    const late = await federation.addNode(['client'], { start: false })
    const round = await coordinator.openRound({ length: 3, encoding: 'int:16', minParticipants: 3, deadlineSeconds: 60, eligible: [late.peerId, federation.clients[0]!.peerId, federation.clients[1]!.peerId] })
    // Gossip would also bring the announcement: the coordinator republishes it whenever a peer
    // subscribes. So the late joiner drops it from gossip before its own handler sees it (this
    // listener goes first, being added before start), and only the direct fetch over
    // /fedagg/rounds/1.0.0 can tell it about the round.
    let droppedFromGossip = 0
    const dropAnnouncement = (event: CustomEvent<Message>): void => {
      const { kind, signed } = decodeFederationEvent(event.detail.data)
      if (kind === 'announcement' && WIRE.RoundAnnouncement.decode(signed.payload).roundId === round.roundId) {
        droppedFromGossip++
        event.stopImmediatePropagation()
      }
    }
    const pubsub = late.libp2p.services.pubsub
    pubsub.addEventListener('message', dropAnnouncement)
    // And count the late joiner's requests on that protocol, with what came back.
    const fetches: Uint8ArrayList[] = []
    late.libp2p.use(PROTOCOLS.rounds, (stream, connection, next) => {
      const received = new Uint8ArrayList()
      fetches.push(received)
      stream.addEventListener('message', event => { received.append(event.data) })
      next(stream, connection)
    })
    try {
      await late.start()
      await waitUntil(async () => (await late.round(round.roundId)) !== undefined, 'the late joiner to learn of the round')
      assert.ok(fetches.length > 0, `the late joiner opened no /fedagg/rounds stream (gossip brought the announcement ${droppedFromGossip} times, dropped)`)
      const roundIdBytes = Buffer.from(round.roundId)
      assert.ok(fetches.some(received => Buffer.from(received.subarray()).includes(roundIdBytes)), 'the coordinator answered with the round')
      const receipt = await late.submit([1, 2, 3], { roundId: round.roundId })
      assert.equal(receipt.roundId, round.roundId)
    } finally {
      late.libp2p.unuse(PROTOCOLS.rounds)
      pubsub.removeEventListener('message', dropAnnouncement)
    }
  })
})

describe('membership: removal', function () {
  this.timeout(120_000)
  let federation: TestFederation

  before(async () => { federation = await startFederation({ clients: 3 }) })
  after(async () => { await federation?.stop() })

  it('disconnects a removed member everywhere and refuses its reconnection', async () => {
    const { coordinator, aggregator, clients } = federation
    const [removed, kept] = [clients[0]!, clients[1]!]
    const removedId = peerIdFromString(removed.peerId)
    await removed.libp2p.dial(multiaddr(aggregator.multiaddrs()[0]!), { signal: AbortSignal.timeout(5_000) })
    assert.ok(coordinator.libp2p.getConnections(removedId).length > 0, 'connected to the coordinator before removal')
    await waitUntil(() => aggregator.libp2p.getConnections(removedId).length > 0, 'the aggregator to hold the connection before removal')
    const roster = await coordinator.removeMember(removed.peerId)
    assert.ok(roster.members.every(member => member.peerId !== removed.peerId))
    await waitUntil(() => aggregator.roster()?.version === roster.version && kept.roster()?.version === roster.version, 'the new roster to reach the members')
    await waitUntil(() => coordinator.libp2p.getConnections(removedId).length === 0 && aggregator.libp2p.getConnections(removedId).length === 0,
      'the removed member to be disconnected')
    await assert.rejects(removed.libp2p.dialProtocol(multiaddr(coordinator.multiaddrs()[0]!), PROTOCOLS.roster, { signal: AbortSignal.timeout(5_000) }))
    await assert.rejects(coordinator.openRound({ length: 2, encoding: 'int:32', minParticipants: 3, deadlineSeconds: 30, eligible: [removed.peerId, kept.peerId, clients[2]!.peerId] }),
      { name: 'InvalidAnnouncementError' })
  })
})
