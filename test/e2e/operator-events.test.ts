// Issue 8, Why 3 and Why 6 (events): join failures and membership are visible at info level, `status` says
// whether the node is connected and why not, and every round transition and submission decision is one event.
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { NodeEventFields, NodeEventLevel, NodeEventName, NodeEvents } from '../../node/events/node-events.ts'
import { startFederation, waitForRoster, waitUntil } from '../helpers/federation.ts'
import type { TestFederation } from '../helpers/federation.ts'

interface RecordedEvent { level: NodeEventLevel, event: NodeEventName, fields: NodeEventFields, message: string }

function recorder (): NodeEvents & { events: RecordedEvent[], find: (event: NodeEventName, where?: Partial<NodeEventFields>) => RecordedEvent | undefined } {
  const events: RecordedEvent[] = []
  return {
    events,
    emit: (level, event, fields, message) => { events.push({ level, event, fields, message }) },
    find: (event, where = {}) => events.find(e => e.event === event && Object.entries(where).every(([key, value]) => e.fields[key] === value))
  }
}

describe('e2e: operator events and federation status', function () {
  this.timeout(120_000)
  let federation: TestFederation
  const log = recorder()

  before(async () => { federation = await startFederation({ clients: 3, events: log }) })
  after(async () => { await federation?.stop() })

  it('says when --join names the wrong peer ID, with the expected and the actual one', async () => {
    const { coordinator } = federation
    const wrong = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
    const badJoin = (coordinator.multiaddrs()[0] as string).replace(/\/p2p\/.*$/, `/p2p/${wrong}`)
    const node = await federation.addNode(['client'], { admit: false, overrides: { join: badJoin } })
    await waitUntil(() => log.find('join.peer-id-mismatch', { expected: wrong }) !== undefined, 'a peer ID mismatch event')
    const event = log.find('join.peer-id-mismatch', { expected: wrong }) as RecordedEvent
    assert.equal(event.fields.got, coordinator.peerId)
    assert.equal(event.level, 'error')
    const status = await node.status()
    assert.deepEqual([status.federation.connected, status.federation.state], [false, 'peer-id-mismatch'])
    assert.match(status.federation.detail, new RegExp(`is ${coordinator.peerId}, not the coordinator ${wrong}`))
    await assert.rejects(node.submit([1]), { name: 'NotConnectedError' })
  })

  it('says a node is not admitted yet and what to send, then that it was admitted', async () => {
    const { coordinator } = federation
    const node = await federation.addNode(['client'], { admit: false })
    await waitUntil(() => log.find('join.not-admitted', { self: node.peerId }) !== undefined, 'a not-admitted event')
    assert.match((log.find('join.not-admitted', { self: node.peerId }) as RecordedEvent).message, new RegExp(`send its peer ID ${node.peerId} to the coordinator's operator`))
    const waiting = await node.status()
    assert.deepEqual([waiting.federation.connected, waiting.federation.state], [false, 'not-admitted'])
    // Without a roster, submit says the node is not connected, not that no round lists it.
    await assert.rejects(node.submit([1]), (err: Error) => {
      assert.equal(err.name, 'NotConnectedError')
      assert.match(err.message, /not connected to the federation \(not-admitted\)/)
      return true
    })

    const roster = await coordinator.addMember(node.peerId, ['client'], 'late org')
    assert.ok(log.find('member.added', { peerId: node.peerId }), 'the coordinator reports the admission')
    await waitForRoster(node, roster.version, 60_000)
    await waitUntil(async () => (await node.status()).federation.connected, 'the node to be connected', 60_000)
    assert.equal((await node.status()).federation.state, 'admitted')
    assert.ok(log.events.some(e => e.event === 'join.admitted'))
    await coordinator.removeMember(node.peerId)
    assert.ok(log.find('member.removed', { peerId: node.peerId }))
  })

  it('reports each round transition, submission and decryption with round and peer IDs', async () => {
    const { coordinator, aggregator, clients } = federation
    const round = await coordinator.openRound({ length: 2, encoding: 'int:8', minParticipants: 3, deadlineSeconds: 60 })
    await Promise.all(clients.map(async client => waitUntil(async () => (await client.round(round.roundId)) !== undefined, 'announcement')))
    await Promise.all(clients.map(async client => client.submit([1, 2], { roundId: round.roundId })))
    await coordinator.waitForResult(round.roundId, { signal: AbortSignal.timeout(60_000) })
    const { roundId } = round
    assert.equal(log.find('round.opened', { roundId })?.fields.peerId, aggregator.peerId)
    for (const client of clients) assert.ok(log.find('submission.accepted', { roundId, peerId: client.peerId }), `accepted ${client.peerId}`)
    assert.equal(log.find('round.released', { roundId })?.fields.contributors, 3)
    assert.equal(log.find('round.decrypted', { roundId })?.fields.contributors, 3)

    // A refusal carries its reason: a changed resubmit reaches no aggregator, a bad one is refused by it.
    const other = await coordinator.openRound({ length: 2, encoding: 'int:8', minParticipants: 3, deadlineSeconds: 2 })
    await waitUntil(async () => (await coordinator.result(other.roundId)) !== undefined, 'the empty round to fail', 90_000)
    assert.match(log.find('round.failed', { roundId: other.roundId })?.fields.reason as string, /.+/)
  })
})
