// Tests the control API client against a real control server over FakeFederationNode (an in-test
// FederationNode, so this exercises the HTTP client and server, not the node).
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ControlClient } from '../../../node/control/client.ts'
import { writeControlFile } from '../../../node/control/control-file.ts'
import { startControlServer } from '../../../node/control/server.ts'
import type { ControlServer } from '../../../node/control/server.ts'
import { createFedaggMetrics } from '../../../node/metrics/metrics.ts'
import { FakeFederationNode, randomPeerId } from './fake-federation-node.ts'

describe('node/control/client', () => {
  let dataDir: string
  let node: FakeFederationNode
  let server: ControlServer
  let client: ControlClient

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'fedagg-client-'))
    node = new FakeFederationNode({ peerId: await randomPeerId(), roles: ['coordinator', 'client'] })
    server = await startControlServer({ node, token: 'tok', metrics: createFedaggMetrics() })
    await writeControlFile(dataDir, { url: server.url, token: 'tok' })
    client = await ControlClient.fromDataDir(dataDir)
  })

  afterEach(async () => {
    await server.close()
    await rm(dataDir, { recursive: true, force: true })
  })

  it('drives every route of the node', async () => {
    assert.equal((await client.status()).peerId, node.peerId)
    const peerId = await randomPeerId()
    assert.equal((await client.addMember(peerId, ['client'], 'b')).version, 2)
    assert.equal((await client.roster()).members.length, 2)
    const round = await client.openRound({ length: 2, encoding: 'int:32', minParticipants: 1, deadlineSeconds: 60 })
    assert.equal((await client.round(round.roundId)).roundId, round.roundId)
    assert.equal((await client.rounds()).length, 1)
    const receipt = await client.submit([1, 2], { roundId: round.roundId, weight: 3 })
    assert.equal(receipt.roundId, round.roundId)
    assert.deepEqual(node.submissions, [{ values: [1, 2], roundId: round.roundId, weight: 3 }])
    setTimeout(() => { node.publishResult({ roundId: round.roundId, status: 'decrypted', contributors: 1, sum: ['1', '2'], mean: [], decryptedAtMs: 1 }) }, 50)
    assert.deepEqual((await client.result(round.roundId, { waitSeconds: 5 })).sum, ['1', '2'])
    assert.equal((await client.removeMember(peerId)).version, 3)
    assert.match(await client.metrics(), /fedagg_connected_peers/)
  })

  it('throws the daemon\'s typed error by name, with its status', async () => {
    await assert.rejects(client.round('missing'), { name: 'UnknownRoundError', status: 404 })
    const round = await client.openRound({ length: 2, encoding: 'int:32', minParticipants: 1, deadlineSeconds: 60 })
    await assert.rejects(client.result(round.roundId), { name: 'ResultPendingError', status: 409 })
    await assert.rejects(new ControlClient({ url: server.url, token: 'wrong' }).status(), { name: 'UnauthorizedError', status: 401 })
  })

  it('reports DaemonNotRunningError for a missing or stale control.json', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'fedagg-client-empty-'))
    try {
      await assert.rejects(ControlClient.fromDataDir(empty), { name: 'DaemonNotRunningError' })
      const port = await freePort()
      await writeControlFile(empty, { url: `http://127.0.0.1:${port}`, token: 'tok' })
      await assert.rejects((await ControlClient.fromDataDir(empty)).status(), { name: 'DaemonNotRunningError' })
    } finally {
      await rm(empty, { recursive: true, force: true })
    }
  })
})

/** A port nothing listens on: bound once by the OS, then released. */
async function freePort (): Promise<number> {
  const probe = createServer()
  await new Promise<void>(resolve => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as { port: number }
  await new Promise(resolve => probe.close(resolve))
  return port
}
