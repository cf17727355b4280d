// Membership over real loopback TCP: roster gating at connection time, role checks in handlers, late joiners.
import assert from 'node:assert/strict'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { PROTOCOLS, WIRE } from '../../protocol/messages/index.ts'
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
    const stream = await client.libp2p.dialProtocol(multiaddr(aggregator.multiaddrs()[0]!), PROTOCOLS.aggregate, { signal: AbortSignal.timeout(5_000) })
    const framed = new FramedStream(stream, WIRE.AggregateResponseHeader.maxDataLength)
    const signal = AbortSignal.timeout(5_000)
    // The aggregator checks the role before reading anything and resets the stream: the request
    // cannot even be completed, and no header ever comes back.
    await assert.rejects(async () => {
      await framed.write(WIRE.AggregateRequest, { roundId: 'r-anything' }, { signal })
      await framed.read(WIRE.AggregateResponseHeader, { signal })
    }, (err: Error) => err.name !== 'TimeoutError' && err.name !== 'AbortError')
  })

  it('lets a late joiner fetch the open round directly from the coordinator', async () => {
    const { coordinator } = federation
    // Admitted and listed as eligible while offline, so the announcement's gossip passes it by.
    const late = await federation.addNode(['client'], { start: false })
    const round = await coordinator.openRound({ length: 3, encoding: 'int:16', minParticipants: 2, deadlineSeconds: 60, eligible: [late.peerId, federation.clients[0]!.peerId] })
    // Longer than gossipsub's message-cache gossip window (3 heartbeats of 1 s): no IHAVE replay either.
    await new Promise(resolve => setTimeout(resolve, 4_000))
    await late.start()
    await waitUntil(async () => (await late.round(round.roundId)) !== undefined, 'the late joiner to learn of the round')
    const receipt = await late.submit([1, 2, 3], { roundId: round.roundId })
    assert.equal(receipt.roundId, round.roundId)
  })
})
