// Tests the CLI's argument parsing, output and one-line errors, against a control server over
// FakeFederationNode (an in-test FederationNode: this tests the CLI and its HTTP client, not the node).
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { writeControlFile } from '../../../node/control/control-file.ts'
import { startControlServer } from '../../../node/control/server.ts'
import type { ControlServer } from '../../../node/control/server.ts'
import { formatCliError } from '../../../node/cli/main.ts'
import { FedaggError } from '../../../protocol/errors.ts'
import { FakeFederationNode, randomPeerId } from '../control/fake-federation-node.ts'
import { runCli } from './cli-harness.ts'

/** One line, `fedagg: <Name>: message`, and nothing else (no stack). */
function assertOneErrorLine (stderr: string, name: string): void {
  assert.match(stderr, new RegExp(`^fedagg: ${name}: [^\\n]+\\n$`), stderr)
}

describe('node/cli/main', () => {
  let dataDir: string

  beforeEach(async () => { dataDir = await mkdtemp(join(tmpdir(), 'fedagg-cli-')) })
  afterEach(async () => { await rm(dataDir, { recursive: true, force: true }) })

  describe('usage errors exit 2 with one line', () => {
    const cases: Array<[string[], RegExp]> = [
      [[], /expected a command/],
      [['nope'], /Unknown argument: nope/],
      [['members'], /expected a subcommand: add, remove or list/],
      [['members', 'add'], /Not enough non-option arguments/],
      [['members', 'add', 'x', '--role', 'king'], /Invalid values: Argument: role, Given: "king"/],
      [['round', 'open'], /Missing required argument: length/],
      [['init', '--key-bits', '1024'], /Invalid values: Argument: key-bits/],
      [['status', '--bogus'], /Unknown argument: bogus/]
    ]
    for (const [args, message] of cases) {
      it(`fedagg ${args.join(' ')}`, async () => {
        const run = await runCli(args)
        assert.equal(run.code, 2)
        assertOneErrorLine(run.stderr, 'UsageError')
        assert.match(run.stderr, message)
        assert.equal(run.stdout, '')
      })
    }
  })

  it('reports a missing daemon as DaemonNotRunningError, exit 1, naming the data directory', async () => {
    const run = await runCli(['members', 'list', '--data-dir', dataDir])
    assert.equal(run.code, 1)
    assertOneErrorLine(run.stderr, 'DaemonNotRunningError')
    assert.ok(run.stderr.includes(dataDir))
  })

  it('takes the data directory from FEDAGG_DATA_DIR, and --data-dir over it', async () => {
    const fromEnv = await runCli(['status'], { FEDAGG_DATA_DIR: dataDir })
    assert.ok(fromEnv.stderr.includes(`no control.json in ${dataDir}`), fromEnv.stderr)
    const other = join(dataDir, 'other')
    const fromFlag = await runCli(['status', '--data-dir', other], { FEDAGG_DATA_DIR: dataDir })
    assert.ok(fromFlag.stderr.includes(`no control.json in ${other}:`), fromFlag.stderr)
  })

  it('reports an uninitialized data directory for `id`', async () => {
    const run = await runCli(['id', '--data-dir', dataDir])
    assert.equal(run.code, 1)
    assertOneErrorLine(run.stderr, 'NotInitializedError')
  })

  it('prints a stack only for unexpected errors', () => {
    assert.equal(formatCliError(new FedaggError('expected x, got y')), 'fedagg: FedaggError: expected x, got y\n')
    const unexpected = formatCliError(new TypeError('boom'))
    assert.match(unexpected, /^fedagg: TypeError: boom\n\s+at /)
  })

  describe('against a running daemon', () => {
    let node: FakeFederationNode
    let server: ControlServer

    beforeEach(async () => {
      node = new FakeFederationNode({ peerId: await randomPeerId(), roles: ['coordinator', 'client'] })
      server = await startControlServer({ node, token: 'tok' })
      await writeControlFile(dataDir, { url: server.url, token: 'tok' })
    })

    afterEach(async () => { await server.close() })

    it('members add / list / remove, as text and as JSON', async () => {
      const peerId = await randomPeerId()
      const added = await runCli(['members', 'add', peerId, '--role', 'client', '--name', 'org-b', '--data-dir', dataDir, '--json'])
      assert.equal(added.code, 0, added.stderr)
      assert.equal(JSON.parse(added.stdout).version, 2)
      const listed = await runCli(['members', 'list', '--data-dir', dataDir])
      assert.match(listed.stdout, /roster version 2/)
      assert.match(listed.stdout, new RegExp(`${peerId}\\s+client\\s+org-b`))
      const removed = await runCli(['members', 'remove', peerId, '--data-dir', dataDir, '--json'])
      assert.equal(JSON.parse(removed.stdout).members.length, 1)
    })

    it('relays the daemon\'s typed errors as one line', async () => {
      const bad = await runCli(['members', 'add', 'not-a-peer', '--data-dir', dataDir])
      assert.equal(bad.code, 1)
      assertOneErrorLine(bad.stderr, 'InvalidRequestError')
      assert.match(bad.stderr, /peerId: expected a libp2p peer ID/)
      const missing = await runCli(['round', 'status', 'round-9', '--data-dir', dataDir])
      assertOneErrorLine(missing.stderr, 'UnknownRoundError')
    })

    it('round open defaults the quorum to every roster client', async () => {
      for (let i = 0; i < 3; i++) await node.addMember(await randomPeerId(), ['client'])
      const run = await runCli(['round', 'open', '--length', '4', '--data-dir', dataDir, '--json'])
      assert.equal(run.code, 0, run.stderr)
      const round = JSON.parse(run.stdout)
      // The fake node is coordinator and client itself, so 3 added + 1.
      assert.equal(round.minParticipants, 4)
      assert.equal(round.encoding, 'int:32')
      assert.equal(round.deadlineMs - round.openedAtMs, 60_000)
      const explicit = await runCli(['round', 'open', '--length', '4', '--min-participants', '3', '--encoding', 'fixed:16', '--clip', '1.5', '--deadline', '30', '--data-dir', dataDir, '--json'])
      assert.equal(JSON.parse(explicit.stdout).minParticipants, 3)
      const listed = await runCli(['round', 'status', '--data-dir', dataDir])
      assert.equal(listed.stdout.trim().split('\n').length, 2)
    })

    it('submit takes --values or --values-file, not both, not neither', async () => {
      await node.openRound({ length: 3, encoding: 'int:32', minParticipants: 1, deadlineSeconds: 60 })
      const ok = await runCli(['submit', '--values', '1, 2,3', '--weight', '2', '--data-dir', dataDir])
      assert.equal(ok.code, 0, ok.stderr)
      assert.match(ok.stdout, /^accepted by /)
      const file = join(dataDir, 'values.json')
      await writeFile(file, '[4, 5.5, 6]')
      assert.equal((await runCli(['submit', '--values-file', file, '--data-dir', dataDir])).code, 0)
      assert.deepEqual(node.submissions.map(s => s.values), [[1, 2, 3], [4, 5.5, 6]])
      assert.equal(node.submissions[0]?.weight, 2)

      const neither = await runCli(['submit', '--data-dir', dataDir])
      assert.equal(neither.code, 2)
      assertOneErrorLine(neither.stderr, 'UsageError')
      const both = await runCli(['submit', '--values', '1', '--values-file', file, '--data-dir', dataDir])
      assert.equal(both.code, 2)
      const badValue = await runCli(['submit', '--values', '1,x,3', '--data-dir', dataDir])
      assert.equal(badValue.code, 1)
      assertOneErrorLine(badValue.stderr, 'InvalidValuesError')
      assert.match(badValue.stderr, /position 1, got "x"/)
    })

    it('round result waits, then reports ResultPendingError', async () => {
      const round = await node.openRound({ length: 2, encoding: 'int:32', minParticipants: 1, deadlineSeconds: 60 })
      const pending = await runCli(['round', 'result', round.roundId, '--wait', '0.2', '--data-dir', dataDir])
      assert.equal(pending.code, 1)
      assertOneErrorLine(pending.stderr, 'ResultPendingError')
      setTimeout(() => { node.publishResult({ roundId: round.roundId, status: 'decrypted', contributors: 2, sum: ['3', '5'], mean: [], decryptedAtMs: 1 }) }, 100)
      const done = await runCli(['round', 'result', round.roundId, '--wait', '10', '--data-dir', dataDir])
      assert.equal(done.code, 0, done.stderr)
      assert.match(done.stdout, /decrypted, 2 contributors\nsum {2}\[3, 5\]/)
    })

    it('status and id print the peer ID', async () => {
      const status = await runCli(['status', '--data-dir', dataDir])
      assert.match(status.stdout, new RegExp(`^peer ID +${node.peerId}$`, 'm'))
      const statusJson = JSON.parse((await runCli(['status', '--data-dir', dataDir, '--json'])).stdout)
      assert.equal(statusJson.peerId, node.peerId)
    })
  })
})
