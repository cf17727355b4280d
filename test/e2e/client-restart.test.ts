// A client that dies after the aggregator committed its submission but before the receipt arrived: restarted on its
// data dir, it resends the stored ciphertexts and gets the original receipt, and refuses to send changed values.
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createFederationNode } from '../../node/federation-node.ts'
import type { RunningNode } from '../../node/running-node.ts'
import { nodeConfig, startFederation, waitForRoster, waitUntil } from '../helpers/federation.ts'
import type { TestFederation } from '../helpers/federation.ts'
import { withDatabase } from '../helpers/node-db.ts'

/** The digest (hex) and index of the submission the aggregator committed for `client`, if any. */
function committed (aggregatorDir: string, roundId: string, client: string): { digest: string, index: number } | undefined {
  const row = withDatabase(aggregatorDir, db => db.prepare('SELECT digest, idx FROM submissions WHERE round_id = ? AND client = ?').get(roundId, client)) as { digest: Uint8Array, idx: number } | undefined
  return row === undefined ? undefined : { digest: Buffer.from(row.digest).toString('hex'), index: row.idx }
}

/** The digest (hex) of the client's stored outgoing submission for the round, if any. */
function outgoingDigest (clientDir: string, roundId: string): string | undefined {
  const row = withDatabase(clientDir, db => db.prepare('SELECT digest FROM client_submissions WHERE round_id = ?').get(roundId)) as { digest: Uint8Array } | undefined
  return row === undefined ? undefined : Buffer.from(row.digest).toString('hex')
}

describe('client restart between the aggregator\'s commit and the receipt', function () {
  this.timeout(120_000)
  let federation: TestFederation
  let aggregator: RunningNode | undefined
  let aggregatorDir: string | undefined
  /** Called once at the aggregator's next 'aggregator:after-write' checkpoint. */
  let afterWrite: (() => void) | undefined
  /** The live client nodes; a restart replaces its entry. */
  let clients: RunningNode[]
  const restarted: RunningNode[] = []

  before(async () => {
    federation = await startFederation({ clients: 3 })
    const { coordinator } = federation
    clients = [...federation.clients]
    // An aggregator of our own, with a hook at its checkpoints; the harness's stays idle.
    aggregatorDir = await mkdtemp(join(tmpdir(), 'fedagg-test-'))
    aggregator = await createFederationNode(nodeConfig(aggregatorDir, ['aggregator'], { join: coordinator.multiaddrs()[0]! }), {
      checkpoint: name => {
        if (name !== 'aggregator:after-write') return
        const hook = afterWrite
        afterWrite = undefined
        hook?.()
      }
    })
    await coordinator.addMember(aggregator.peerId, ['aggregator'])
    await aggregator.start()
    for (const node of [aggregator, ...clients]) await waitForRoster(node, coordinator.roster()!.version)
  })

  after(async () => {
    await Promise.allSettled([...restarted, ...(aggregator === undefined ? [] : [aggregator])].map(async node => node.stop()))
    await federation?.stop()
    if (aggregatorDir !== undefined) await rm(aggregatorDir, { recursive: true, force: true })
  })

  async function openRound (): Promise<string> {
    const round = await federation.coordinator.openRound({ length: 2, encoding: 'int:32', minParticipants: 3, deadlineSeconds: 30, aggregator: aggregator!.peerId })
    await Promise.all(clients.map(async client => waitUntil(async () => (await client.round(round.roundId)) !== undefined, 'announcement')))
    return round.roundId
  }

  /**
   * Client `c` submits, and its submission is given up (as by a crash) the moment the aggregator has
   * committed it, before any receipt is signed; then the node stops and a new one starts on its data
   * dir, with the same peer ID and nothing in memory. Returns the digest the aggregator committed.
   */
  async function submitAndCrash (c: number, values: number[], roundId: string): Promise<string> {
    const client = clients[c]!
    const crash = new AbortController()
    afterWrite = () => { crash.abort(new Error('the client crashed')) }
    await assert.rejects(client.submit(values, { roundId, signal: crash.signal }))
    assert.equal(afterWrite, undefined, 'the client gave up only after the aggregator committed its submission')
    const stored = committed(aggregator!.dataDir, roundId, client.peerId)
    assert.ok(stored !== undefined)
    await client.stop()
    assert.equal(outgoingDigest(client.dataDir, roundId), stored.digest, 'the committed bytes were stored before they were sent')

    const again = await createFederationNode(nodeConfig(client.dataDir, ['client'], { join: federation.coordinator.multiaddrs()[0]! }))
    restarted.push(again)
    await again.start()
    await waitForRoster(again, federation.coordinator.roster()!.version)
    assert.equal(again.peerId, client.peerId)
    clients[c] = again
    return stored.digest
  }

  it('resends the stored ciphertexts and gets the original receipt; the round counts it once', async () => {
    const roundId = await openRound()
    const digest = await submitAndCrash(0, [1, 2], roundId)

    const receipt = await clients[0]!.submit([1, 2], { roundId })
    assert.equal(receipt.digest, digest, 'the receipt names the committed submission')
    assert.equal(receipt.index, 0)
    assert.equal(outgoingDigest(clients[0]!.dataDir, roundId), undefined, 'the outgoing bytes are dropped once the receipt is saved')

    await clients[1]!.submit([10, 20], { roundId })
    await clients[2]!.submit([100, 200], { roundId })
    const result = await federation.coordinator.waitForResult(roundId, { signal: AbortSignal.timeout(60_000) })
    assert.equal(result.status, 'decrypted')
    assert.equal(result.contributors, 3)
    assert.deepEqual(result.sum, ['111', '222'])
    await waitUntil(async () => (await clients[0]!.round(roundId))?.counted === true, 'the restarted client to see itself counted')
  })

  it('refuses other values after the restart with SubmissionValuesChangedError, and still resends the stored ones', async () => {
    const roundId = await openRound()
    const digest = await submitAndCrash(0, [3, 4], roundId)

    await assert.rejects(clients[0]!.submit([5, 6], { roundId }), { name: 'SubmissionValuesChangedError' })
    const receipt = await clients[0]!.submit([3, 4], { roundId })
    assert.equal(receipt.digest, digest)

    await clients[1]!.submit([30, 40], { roundId })
    await clients[2]!.submit([300, 400], { roundId })
    const result = await federation.coordinator.waitForResult(roundId, { signal: AbortSignal.timeout(60_000) })
    assert.deepEqual(result.sum, ['333', '444'])
  })
})
