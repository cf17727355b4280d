// End to end, as operators would do it: `fedagg init` per organization, `members add` at the coordinator,
// `start --join` for the others, each node its own OS process and data directory, ending in a real round
// opened, submitted to and decrypted through the CLI.
import assert from 'node:assert/strict'
import { access, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ControlClient } from '../../node/control/client.ts'
import { ChildProcesses } from '../../node/local/child-processes.ts'
import type { FedaggChild } from '../../node/local/child-processes.ts'
import { pollUntil } from '../../node/local/poll.ts'
import { waitForReady } from '../../node/local/ready-line.ts'
import { processesMentioning } from '../node/local/process-scan.ts'

/** The runner's environment without FEDAGG_* variables, which every child would otherwise read as config. */
const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('FEDAGG_')))

describe('e2e: operator flow across processes', function () {
  this.timeout(240_000)
  let root: string
  const children = new ChildProcesses()

  before(async () => { root = await mkdtemp(join(tmpdir(), 'fedagg-e2e-ops-')) })
  after(async () => {
    await children.stopAll(10_000)
    await rm(root, { recursive: true, force: true })
  })

  /** Runs one CLI command to completion and parses its --json output. */
  async function fedagg<T = Record<string, unknown>> (...args: string[]): Promise<T> {
    return JSON.parse(await children.run(args.slice(0, 2).join(' '), [...args, '--json'], { env })) as T
  }

  it('init, members add, start --join, round open, submit, round result', async () => {
    const dir = (name: string): string => join(root, name)
    const clientNames = ['org-a', 'org-b', 'org-c']

    // 1. Every organization initializes its own node; only the coordinator generates a Paillier key.
    const coordinator = await fedagg<{ peerId: string, paillierKey: string }>('init', '--data-dir', dir('coord'), '--role', 'coordinator', '--federation', 'e2e-ops', '--key-bits', '2048', '--name', 'coord')
    assert.equal(coordinator.paillierKey, join(dir('coord'), 'paillier.key'))
    const aggregator = await fedagg<{ peerId: string }>('init', '--data-dir', dir('agg'), '--role', 'aggregator', '--federation', 'e2e-ops')
    const clients = await Promise.all(clientNames.map(async name =>
      fedagg<{ peerId: string }>('init', '--data-dir', dir(name), '--role', 'client', '--federation', 'e2e-ops')))

    // 2. The coordinator's operator starts it and admits the others by peer ID.
    const daemons: FedaggChild[] = []
    const start = async (name: string, extra: string[] = []): Promise<string[]> => {
      const child = children.spawn(`start ${name}`, ['start', '--data-dir', dir(name), ...extra], { stdin: 'pipe', env })
      daemons.push(child)
      return (await waitForReady(child, { timeoutMs: 60_000 })).multiaddrs
    }
    const [bootstrap] = await start('coord')
    assert.ok(bootstrap?.endsWith(`/p2p/${coordinator.peerId}`), bootstrap)
    const id = await fedagg<{ peerId: string, multiaddrs: string[] }>('id', '--data-dir', dir('coord'))
    assert.deepEqual(id, { peerId: coordinator.peerId, multiaddrs: [bootstrap] })

    await fedagg('members', 'add', aggregator.peerId, '--role', 'aggregator', '--name', 'agg', '--data-dir', dir('coord'))
    for (const [i, client] of clients.entries()) {
      await fedagg('members', 'add', client.peerId, '--role', 'client', '--name', clientNames[i] as string, '--data-dir', dir('coord'))
    }
    const roster = await fedagg<{ version: number, members: Array<{ peerId: string, roles: string[] }> }>('members', 'list', '--data-dir', dir('coord'))
    assert.equal(roster.members.length, 5)

    // 3. The others start with --join and fetch the signed roster from the coordinator.
    await Promise.all(['agg', ...clientNames].map(async name => start(name, ['--join', bootstrap as string])))
    for (const name of ['agg', ...clientNames]) {
      const control = await ControlClient.fromDataDir(dir(name))
      await pollUntil(async () => (await control.status()).rosterVersion === roster.version, { timeoutMs: 60_000, what: `${name} to hold roster v${roster.version}` })
    }

    // 4. A round: opened by the coordinator, seen by every client, one vector from each.
    const round = await fedagg<{ roundId: string, minParticipants: number, aggregator: string }>('round', 'open', '--length', '3', '--encoding', 'int:32', '--deadline', '120', '--data-dir', dir('coord'))
    assert.equal(round.minParticipants, 3, 'quorum defaults to every roster client')
    assert.equal(round.aggregator, aggregator.peerId)
    for (const name of clientNames) {
      const control = await ControlClient.fromDataDir(dir(name))
      await pollUntil(async () => (await control.round(round.roundId)).roundId === round.roundId, { timeoutMs: 60_000, what: `${name} to see ${round.roundId}` })
    }
    for (const [i, name] of clientNames.entries()) {
      const receipt = await fedagg<{ roundId: string, aggregator: string, client: string }>('submit', '--values', `${i + 1},${2 * (i + 1)},7`, '--round', round.roundId, '--data-dir', dir(name))
      assert.equal(receipt.aggregator, aggregator.peerId)
      assert.equal(receipt.client, clients[i]?.peerId)
    }

    // 5. The coordinator decrypts only the sum: [1+2+3, 2+4+6, 7·3].
    const result = await fedagg<{ status: string, contributors: number, sum: string[] }>('round', 'result', round.roundId, '--wait', '120', '--data-dir', dir('coord'))
    assert.equal(result.status, 'decrypted')
    assert.equal(result.contributors, 3)
    assert.deepEqual(result.sum, ['6', '12', '21'])

    // 6. Every daemon stops on SIGTERM with status 0 and takes its control.json with it.
    for (const daemon of daemons) daemon.process.kill('SIGTERM')
    for (const daemon of daemons) assert.deepEqual(await daemon.exited, { code: 0, signal: null }, daemon.name)
    for (const name of ['coord', 'agg', ...clientNames]) await assert.rejects(access(join(dir(name), 'control.json')), name)
    assert.deepEqual(await processesMentioning(root), [])
  })
})
