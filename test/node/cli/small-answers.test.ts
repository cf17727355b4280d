// Issue 8, Why 7: the smaller dishonest answers. Hex and binary values, a non-numeric --deadline, round open on a
// roster without clients, and a daemon that dies mid-request each get a typed one-line error, not a raw one.
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { writeControlFile } from '../../../node/control/control-file.ts'
import { startControlServer } from '../../../node/control/server.ts'
import { loadOrCreateIdentity } from '../../../node/identity.ts'
import { FakeFederationNode, randomPeerId } from '../control/fake-federation-node.ts'
import { runCli } from './cli-harness.ts'

describe('node/cli: small honest answers', () => {
  let dataDir: string
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'fedagg-answers-'))
    await loadOrCreateIdentity(dataDir)
  })
  afterEach(async () => { await rm(dataDir, { recursive: true, force: true }) })

  it('refuses 0x10 and 0b1 as values: decimal numbers only', async () => {
    for (const values of ['0x10,1', '1,0b1', '0o7', 'Infinity']) {
      const run = await runCli(['submit', `--values=${values}`, '--data-dir', dataDir])
      assert.equal(run.code, 1, values)
      assert.match(run.stderr, /^fedagg: InvalidValuesError: --values: expected a decimal number at position \d, got "[^"]+"\n$/, values)
    }
  })

  it('names --deadline and its text when it is not a number', async () => {
    const run = await runCli(['round', 'open', '--length', '3', '--deadline', 'abc', '--data-dir', dataDir])
    assert.equal(run.code, 2)
    assert.equal(run.stderr, 'fedagg: UsageError: --deadline: expected a number of seconds, got "abc"\n')
  })

  it('round open on a roster without clients says so, not something about --min-participants', async () => {
    const node = new FakeFederationNode({ peerId: await randomPeerId(), roles: ['coordinator'] })
    const server = await startControlServer({ node, token: 'tok' })
    try {
      await writeControlFile(dataDir, { url: server.url, token: 'tok' })
      const run = await runCli(['round', 'open', '--length', '3', '--data-dir', dataDir])
      assert.equal(run.code, 1)
      assert.match(run.stderr, /^fedagg: NoEligibleClientsError: the roster has no clients to contribute: admit some first/)
      assert.doesNotMatch(run.stderr, /minParticipants/)
    } finally {
      await server.close()
    }
  })

  it('takes --values -2,1 as a value list, without the = that the parser used to need', async () => {
    const node = new FakeFederationNode({ peerId: await randomPeerId(), roles: ['coordinator', 'client'] })
    const server = await startControlServer({ node, token: 'tok' })
    try {
      await writeControlFile(dataDir, { url: server.url, token: 'tok' })
      await node.openRound({ length: 2, encoding: 'int:8', minParticipants: 1, deadlineSeconds: 60 })
      const run = await runCli(['submit', '--values', '-2,1', '--data-dir', dataDir])
      assert.equal(run.code, 0, run.stderr)
      assert.deepEqual(node.submissions.map(submission => submission.values), [[-2, 1]])
    } finally {
      await server.close()
    }
  })

  it('a daemon that dies mid-request is DaemonConnectionLostError, not a raw TypeError', async () => {
    // Accepts the request, then drops the connection without an answer, as a daemon killed mid-submit does.
    const server = createServer(req => { req.socket.destroy() })
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    try {
      const { port } = server.address() as AddressInfo
      await writeControlFile(dataDir, { url: `http://127.0.0.1:${port}`, token: 'tok' })
      const run = await runCli(['submit', '--values', '1,2', '--data-dir', dataDir])
      assert.equal(run.code, 1)
      assert.match(run.stderr, /^fedagg: DaemonConnectionLostError: POST \/submit: lost the connection to the daemon at http:\/\/127\.0\.0\.1:\d+ \([^)]*\); it may have stopped: check its log\n$/)
    } finally {
      server.closeAllConnections()
      await new Promise(resolve => server.close(resolve))
    }
  })
})
