// The protocol's trust boundaries, observed on real nodes: the coordinator never sees an individual
// ciphertext, and only the coordinator can announce rounds.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { Uint8ArrayList } from 'uint8arraylist'
import type { Stream } from '@libp2p/interface'
import { createAnnouncement } from '../../protocol/round/index.ts'
import { parseEncoding } from '../../protocol/encoding/index.ts'
import { DOMAINS, PROTOCOLS, WIRE, encodeFederationEvent, federationTopic } from '../../protocol/messages/index.ts'
import { signMessage } from '../../protocol/signing/index.ts'
import { loadIdentity } from '../../node/identity.ts'
import { openStore } from '../../node/store/index.ts'
import { fixtureKey, startFederation, waitUntil } from '../helpers/federation.ts'
import type { TestFederation } from '../helpers/federation.ts'

describe('trust boundaries', function () {
  this.timeout(120_000)
  let federation: TestFederation

  before(async () => { federation = await startFederation({ clients: 3 }) })
  after(async () => { await federation?.stop() })

  it('never delivers an individual ciphertext to the coordinator', async () => {
    const { coordinator, aggregator, clients } = federation
    // Instrument the coordinator's fedagg protocol streams (libp2p runs middleware on the streams it
    // serves and on those it opens): record each one and every byte it carries. Gossip and libp2p's
    // own protocols (identify, ping) are not tapped, so the checks below cover these streams only.
    const inbound: Array<{ protocol: string, bytes: Uint8ArrayList }> = []
    const protocols = Object.values(PROTOCOLS)
    for (const protocol of protocols) {
      coordinator.libp2p.use(protocol, (stream: Stream, connection, next) => {
        const record = { protocol, bytes: new Uint8ArrayList() }
        inbound.push(record)
        stream.addEventListener('message', event => { record.bytes.append(event.data) })
        next(stream, connection)
      })
    }
    // The coordinator pulls the aggregate on an outbound stream; tap its reads too.
    const pulled = new Uint8ArrayList()
    const tap = tapOutbound(coordinator, pulled)
    try {
      const round = await coordinator.openRound({ length: 4, encoding: 'int:32', minParticipants: 3, deadlineSeconds: 30 })
      await Promise.all(clients.map(async client => waitUntil(async () => (await client.round(round.roundId)) !== undefined, 'announcement')))
      await Promise.all(clients.map(async (client, i) => client.submit([i, 2 * i, 3 * i, 4 * i], { roundId: round.roundId })))
      const result = await coordinator.waitForResult(round.roundId, { signal: AbortSignal.timeout(60_000) })
      assert.deepEqual(result.sum, ['3', '6', '9', '12'])

      // Every client's ciphertexts, as the aggregator stored them.
      const aggregatorStore = openStore(join(aggregator.dataDir, 'node.db'))
      const submitted = [...aggregatorStore.submissions.forRound(round.roundId)].map(s => Buffer.from(s.ciphertexts))
      aggregatorStore.close()
      assert.equal(submitted.length, 3)

      assert.ok(inbound.every(stream => stream.protocol !== PROTOCOLS.submit), 'no submit stream reaches the coordinator')
      assert.ok(pulled.byteLength > 0, 'the coordinator did receive the aggregate')
      const everything = Buffer.concat([...inbound.map(stream => stream.bytes.subarray()), pulled.subarray()])
      for (const ciphertexts of submitted) {
        assert.equal(everything.indexOf(ciphertexts), -1, 'an individual submission reached the coordinator')
      }
    } finally {
      tap.restore()
      for (const protocol of protocols) coordinator.libp2p.unuse(protocol)
    }
  })

  it('rejects a round announcement that a client forges', async () => {
    const { coordinator, aggregator, clients } = federation
    const [forger, victim] = [clients[0]!, clients[1]!]
    const forgerKey = await loadIdentity(forger.dataDir)
    const forged = createAnnouncement({
      roster: { ...coordinator.roster()!, bootstrap: [], issuedAtMs: Date.now() },
      roundId: 'r-forged',
      nonce: randomBytes(16),
      aggregator: aggregator.peerId,
      publicKey: (await fixtureKey(2048)).publicKey,
      spec: { length: 2, encoding: parseEncoding('int:8'), maxParticipants: 16 },
      eligible: clients.map(client => client.peerId),
      minParticipants: 3,
      deadlineMs: Date.now() + 60_000,
      openedAtMs: Date.now()
    })
    // Members reach each other's gossip through the coordinator's mesh, so it is the first to judge.
    const rejectedBefore = await gossipRejections(coordinator)
    const signed = await signMessage(forgerKey, DOMAINS.announcement, WIRE.RoundAnnouncement, forged.announcement)
    await forger.libp2p.services.pubsub.publish(federationTopic('test'), encodeFederationEvent('announcement', signed))
    await waitUntil(async () => (await gossipRejections(coordinator)) > rejectedBefore, 'the coordinator to reject the forgery')
    await new Promise(resolve => setTimeout(resolve, 1_000))
    assert.equal(await victim.round('r-forged'), undefined)
    assert.equal(await aggregator.round('r-forged'), undefined)
  })
})

/** Wraps the coordinator's outbound stream opening so the aggregate bytes it reads are recorded. */
function tapOutbound (node: TestFederation['coordinator'], sink: Uint8ArrayList): { restore: () => void } {
  const connectionManager = (node.libp2p as unknown as { components: { connectionManager: { openStream: (...args: unknown[]) => Promise<Stream> } } }).components.connectionManager
  const original = connectionManager.openStream.bind(connectionManager)
  connectionManager.openStream = async (...args: unknown[]) => {
    const stream = await original(...args)
    stream.addEventListener('message', event => { sink.append(event.data) })
    return stream
  }
  return { restore: () => { connectionManager.openStream = original } }
}

async function gossipRejections (node: TestFederation['coordinator']): Promise<number> {
  const text = await node.metrics.render()
  return [...text.matchAll(/^fedagg_gossip_rejected_total\{[^}]*\} (\d+)$/gm)].reduce((sum, match) => sum + Number(match[1]), 0)
}
