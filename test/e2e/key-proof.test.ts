// A coordinator cannot hand out a weak key: an h_s of small order, or a modulus that fails Π^mod, is refused by every client before it encrypts anything.
import assert from 'node:assert/strict'
import { generatePrimeSync, randomBytes } from 'node:crypto'
import { DEFAULT_CONFIG } from '../../config/index.ts'
import { parseEncoding } from '../../protocol/encoding/index.ts'
import { DOMAINS, PROTOCOLS, WIRE, encodeFederationEvent, federationTopic } from '../../protocol/messages/index.ts'
import {
  bigintToMinimalBytes, bitLength, blumProofToWire, derivedPublicComponent, modInverse, proveBlumModulus, publicKeyFromParts
} from '../../protocol/paillier/index.ts'
import type { PaillierPrivateKey } from '../../protocol/paillier/index.ts'
import { createAnnouncement } from '../../protocol/round/index.ts'
import { signMessage } from '../../protocol/signing/index.ts'
import { loadIdentity } from '../../node/identity.ts'
import type { RunningNode } from '../../node/running-node.ts'
import { fixtureKey, startFederation, waitUntil } from '../helpers/federation.ts'
import type { TestFederation } from '../helpers/federation.ts'
import { withDatabase } from '../helpers/node-db.ts'
import { countOutboundStreams } from '../helpers/outbound-streams.ts'
import { smallOrderHs } from '../protocol/paillier/fixtures.ts'

/** Rows the client stored for `roundId`: ciphertexts are stored before the first send, so 0 means nothing was encrypted. */
function storedSubmissions (client: RunningNode, roundId: string): number {
  return withDatabase(client.dataDir, db => (db.prepare('SELECT COUNT(*) AS n FROM client_submissions WHERE round_id = ?').get(roundId) as { n: number }).n)
}

/**
 * A key whose n = p·q has p ≡ 1 (mod 4): no Paillier–Blum modulus, yet it passes every public
 * check (length, derived h_s) and decrypts like any Paillier key. privateKeyFromPrimes refuses such
 * primes, so the object is built by hand, as a dishonest coordinator's code would.
 */
function nonBlumKey (q: bigint): PaillierPrivateKey {
  let p: bigint
  do p = generatePrimeSync(1024, { bigint: true, add: 4n, rem: 1n })
  while (bitLength(p * q) !== 2048)
  const publicKey = publicKeyFromParts(p * q, derivedPublicComponent(p * q))
  return Object.freeze({ publicKey, p, q, pSquared: p * p, qSquared: q * q, hp: modInverse(p - q % p, p), hq: modInverse(q - p % q, q), qInverseModP: modInverse(q, p) })
}

describe('key proofs: weak coordinator keys are refused before encryption', function () {
  this.timeout(180_000)

  describe('an honest key, verified for several callers at once', () => {
    let federation: TestFederation
    // An id of its own: the fixture key is already proven for 'test' in this process.
    before(async () => { federation = await startFederation({ clients: 1, federationId: 'key-proof-waiters' }) })
    after(async () => { await federation?.stop() })

    it('one caller giving up does not fail the others waiting on the same verification', async () => {
      const keyProofs = federation.clients[0]!.libp2p.services.keyProofs
      const { publicKey } = await fixtureKey(2048)
      const impatient = new AbortController()
      const first = keyProofs.ensureProven(publicKey, impatient.signal)
      const second = keyProofs.ensureProven(publicKey)
      impatient.abort()
      await assert.rejects(first, { name: 'AbortError' })
      await second
    })
  })

  describe('an announcement whose h_s has small order', () => {
    let federation: TestFederation
    before(async () => { federation = await startFederation({ clients: 3 }) })
    after(async () => { await federation?.stop() })

    it('is refused by the clients (DerivedHsMismatchError): no round, no encryption, no submit stream', async () => {
      const { coordinator, aggregator, clients } = federation
      const key = await fixtureKey(2048)
      const weak = smallOrderHs(key)
      const honest = createAnnouncement({
        roster: { ...coordinator.roster()!, bootstrap: [], issuedAtMs: Date.now() },
        roundId: 'r-weak-hs',
        nonce: randomBytes(16),
        aggregator: aggregator.peerId,
        publicKey: key.publicKey,
        spec: { length: 2, encoding: parseEncoding('int:8'), maxParticipants: 16 },
        eligible: clients.map(client => client.peerId),
        minParticipants: 3,
        deadlineMs: Date.now() + 60_000,
        openedAtMs: Date.now()
      })
      // Same n, same fingerprint, but h_s of order 51: signed by the real coordinator.
      const announcement = { ...honest.announcement, publicKey: { ...honest.announcement.publicKey!, hs: Uint8Array.from(bigintToMinimalBytes(weak.hs)) } }
      const signed = await signMessage(await loadIdentity(coordinator.dataDir), DOMAINS.announcement, WIRE.RoundAnnouncement, announcement)
      const client = clients[0]!
      await assert.rejects(client.libp2p.services.client!.track(signed), { name: 'DerivedHsMismatchError' })

      const submits = clients.map(node => countOutboundStreams(node, PROTOCOLS.submit))
      try {
        await coordinator.libp2p.services.pubsub.publish(federationTopic('test'), encodeFederationEvent('announcement', signed))
        await new Promise(resolve => setTimeout(resolve, 1_000))
        for (const node of clients) {
          assert.equal(await node.round('r-weak-hs'), undefined)
          await assert.rejects(node.submit([1, 2], { roundId: 'r-weak-hs' }), { name: 'NoOpenRoundError' })
          assert.equal(storedSubmissions(node, 'r-weak-hs'), 0)
        }
        assert.deepEqual(submits.map(count => count.count), [0, 0, 0])
      } finally {
        for (const count of submits) count.restore()
      }
    })
  })

  describe('a modulus that fails Π^mod', () => {
    let federation: TestFederation
    before(async () => {
      federation = await startFederation({
        clients: 3,
        paillierKey: nonBlumKey((await fixtureKey(2048)).q),
        // Both tests open a round on the one aggregator, and the first never closes (nobody submits).
        coordinatorOverrides: { round: { ...DEFAULT_CONFIG.round, maxOpenRoundsPerAggregator: 2 } }
      })
    })
    after(async () => { await federation?.stop() })

    it('is refused by the clients (UnprovenKeyError): nothing encrypted, no submit stream', async () => {
      const { coordinator, clients } = federation
      const round = await coordinator.openRound({ length: 2, encoding: 'int:8', minParticipants: 3, deadlineSeconds: 60 })
      await Promise.all(clients.map(async client => waitUntil(async () => (await client.round(round.roundId)) !== undefined, 'announcement')))
      const submits = clients.map(node => countOutboundStreams(node, PROTOCOLS.submit))
      try {
        for (const client of clients) {
          await assert.rejects(client.submit([1, 2], { roundId: round.roundId }), (err: Error) => {
            assert.equal(err.name, 'UnprovenKeyError')
            return true
          })
          assert.equal(storedSubmissions(client, round.roundId), 0)
        }
        assert.deepEqual(submits.map(count => count.count), [0, 0, 0])
      } finally {
        for (const count of submits) count.restore()
      }
    })

    it('and so is a valid proof of another federation served in its place', async () => {
      const { coordinator, clients } = federation
      // The same dishonest coordinator answers with a proof it can make: the honest test key's, for another federation.
      const honest = await fixtureKey(2048)
      const replayed = blumProofToWire(proveBlumModulus('another-federation', honest.p, honest.q))
      await coordinator.libp2p.unhandle(PROTOCOLS.keyproof)
      await coordinator.libp2p.handle(PROTOCOLS.keyproof, async (stream) => {
        const { lpStream } = await import('@libp2p/utils')
        const framed = lpStream(stream, { maxDataLength: WIRE.KeyProofResponse.maxDataLength })
        await framed.read()
        await framed.write(WIRE.KeyProofResponse.encode({ found: true, proof: replayed }))
        await stream.close()
      })
      const round = await coordinator.openRound({ length: 2, encoding: 'int:8', minParticipants: 3, deadlineSeconds: 60 })
      const client = clients[0]!
      await waitUntil(async () => (await client.round(round.roundId)) !== undefined, 'announcement')
      const submits = countOutboundStreams(client, PROTOCOLS.submit)
      try {
        await assert.rejects(client.submit([1, 2], { roundId: round.roundId }), (err: Error) => {
          assert.equal(err.name, 'UnprovenKeyError')
          assert.match(err.message, /BlumProofError/)
          return true
        })
        assert.equal(submits.count, 0)
        assert.equal(storedSubmissions(client, round.roundId), 0)
      } finally {
        submits.restore()
      }
    })
  })
})
