// End to end across real OS processes: SIGKILL the aggregator at its durable-path checkpoints, and the coordinator
// between recording and publishing a result; nothing acknowledged is lost or counted twice, nothing is decrypted twice.
import assert from 'node:assert/strict'
import { randomInt } from 'node:crypto'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id'
import type { FedaggConfig } from '../../config/index.ts'
import type { ReceiptView, Role, RoundResultView } from '../../node/api.ts'
import type { ControlClient } from '../../node/control/client.ts'
import { createFederationNode } from '../../node/federation-node.ts'
import { loadOrCreateIdentity } from '../../node/identity.ts'
import { writePaillierKeyFile } from '../../node/keys/paillier-key-file.ts'
import type { RunningNode } from '../../node/running-node.ts'
import type { CheckpointName } from '../../node/services/checkpoints.ts'
import { WIRE, federationTopic } from '../../protocol/messages/index.ts'
import { fixtureKey, nodeConfig, startFederation, waitForRoster, waitUntil } from '../helpers/federation.ts'
import type { TestFederation } from '../helpers/federation.ts'
import { NodeProcesses, freeTcpPort } from '../helpers/node-process.ts'
import type { CrashPlan, NodeProcess, StartNodeProcessOptions } from '../helpers/node-process.ts'
import { processesMentioning } from '../node/local/process-scan.ts'
import { withDatabase } from '../helpers/node-db.ts'
import { seededRandom } from '../helpers/seeded-random.ts'

const AGGREGATOR_CHECKPOINTS: readonly CheckpointName[] = ['aggregator:before-write', 'aggregator:after-write', 'aggregator:after-receipt']

/** FEDAGG_TEST_SEED=<n> replays a failed run's kill schedule and submission timing. */
const SEED = Number(process.env.FEDAGG_TEST_SEED ?? randomInt(2 ** 31))

function shuffled<T> (items: readonly T[], random: () => number): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

const sleep = async (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

/** `promise`, or a rejection naming `what` after `ms`; the timer never outlives the race. */
async function within<T> (promise: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([promise, new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => { reject(new Error(`timed out after ${ms} ms waiting for ${what()}`)) }, ms)
    })])
  } finally {
    clearTimeout(timer)
  }
}

/** Loopback config for a node that runs as a child process on a fixed port, so restarts keep its address. */
function childConfig (dataDir: string, roles: Role[], port: number, join?: string): StartNodeProcessOptions['config'] {
  return nodeConfig(dataDir, roles, { listen: [`/ip4/127.0.0.1/tcp/${port}`], logLevel: 'warn', ...(join === undefined ? {} : { join }) })
}

/** A describe block's temp dir and child processes. */
interface Sandbox {
  root: string
  readonly processes: NodeProcesses
  /** Registers a stop for the end of the block; the latest registered runs first, all before the children stop. */
  onCleanup (stop: () => Promise<void>): void
}

/**
 * Hooks for one describe block: a fresh temp dir before, and after it (even
 * when a test failed) every registered stop, every child stopped, a check that
 * no process started under the temp dir survives, and the dir removed.
 */
function useSandbox (name: string): Sandbox {
  const cleanups: Array<() => Promise<void>> = []
  const sandbox: Sandbox = { root: '', processes: new NodeProcesses(), onCleanup: stop => { cleanups.push(stop) } }
  before(async () => { sandbox.root = await mkdtemp(join(tmpdir(), `fedagg-e2e-crash-${name}-`)) })
  after(async () => {
    const errors: unknown[] = []
    for (const stop of cleanups.reverse()) await stop().catch((err: unknown) => { errors.push(err) })
    await sandbox.processes.stopAll()
    assert.deepEqual(await processesMentioning(sandbox.root), [], 'no child process outlives the test')
    await rm(sandbox.root, { recursive: true, force: true })
    if (errors.length > 0) throw errors[0]
  })
  return sandbox
}

interface ChildAggregatorFederation {
  federation: TestFederation
  aggregatorPeer: string
  aggregatorDir: string
  /** Its config: a fixed port and one data dir, so every restart keeps its peer ID and address. */
  config: FedaggConfig
}

/**
 * The harness federation (coordinator and clients in this process; its own
 * in-process aggregator stays idle) plus an aggregator to run as a child.
 * The child's identity is created here, before its first start, so the
 * coordinator can admit it by peer ID as an operator would.
 */
async function federationWithChildAggregator (sandbox: Sandbox, clients: number): Promise<ChildAggregatorFederation> {
  const federation = await startFederation({ clients })
  sandbox.onCleanup(async () => federation.stop())
  const { coordinator } = federation
  const aggregatorDir = join(sandbox.root, 'aggregator')
  const aggregatorPeer = peerIdFromPrivateKey(await loadOrCreateIdentity(aggregatorDir)).toString()
  await coordinator.addMember(aggregatorPeer, ['aggregator'])
  for (const client of federation.clients) await waitForRoster(client, coordinator.roster()!.version)
  const config = childConfig(aggregatorDir, ['aggregator'], await freeTcpPort(), coordinator.multiaddrs()[0]!)
  return { federation, aggregatorPeer, aggregatorDir, config }
}

/** Sum of the fedagg_decryptions_total samples; throws if the process does not declare the counter at all. */
function decryptionCount (prometheusText: string): number {
  assert.match(prometheusText, /^# TYPE fedagg_decryptions_total counter$/m, 'the node exports fedagg_decryptions_total')
  return [...prometheusText.matchAll(/^fedagg_decryptions_total(?:\{[^}]*\})? (\d+)$/gm)].reduce((sum, match) => sum + Number(match[1]), 0)
}

/** Resolves once `node`'s gossipsub knows `peer` as a subscriber of the federation topic, i.e. gossip between them flows. */
async function waitForSubscriber (node: RunningNode, peer: string, timeoutMs = 30_000): Promise<void> {
  const topic = federationTopic('test')
  await waitUntil(() => node.libp2p.services.pubsub.getSubscribers(topic).some(id => id.toString() === peer), `${peer} subscribed at ${node.peerId}`, timeoutMs)
}

/** The coordinator's results table and the round's status, as another process left them on disk. */
function coordinatorRecord (dataDir: string, roundId: string): { status: string | undefined, results: Array<{ roundId: string, result: Buffer, recordedAtMs: number, publishedAtMs: number | null }> } {
  return withDatabase(dataDir, db => {
    const round = db.prepare('SELECT status FROM rounds WHERE round_id = ?').get(roundId) as { status: string } | undefined
    const rows = db.prepare('SELECT round_id, result, recorded_at_ms, published_at_ms FROM results').all() as Array<{ round_id: string, result: Uint8Array, recorded_at_ms: number, published_at_ms: number | null }>
    return {
      status: round?.status,
      results: rows.map(row => ({ roundId: row.round_id, result: Buffer.from(row.result), recordedAtMs: row.recorded_at_ms, publishedAtMs: row.published_at_ms }))
    }
  })
}

interface Contribution { client: string, digest: string, index: number }

const byClient = (a: Contribution, b: Contribution): number => a.client.localeCompare(b.client)

/** What the aggregator's store says it counted in `roundId`: its signed transcript, and its submission rows. */
function aggregatorRecord (dataDir: string, roundId: string): { status: string, transcript: Contribution[], rows: Array<Contribution & { receipted: boolean }> } {
  return withDatabase(dataDir, db => {
    const round = db.prepare('SELECT status, signed_transcript FROM rounds WHERE round_id = ?').get(roundId) as { status: string, signed_transcript: Uint8Array | null } | undefined
    assert.ok(round?.signed_transcript != null, `the aggregator stored a transcript for ${roundId}`)
    const transcript = WIRE.Transcript.decode(WIRE.SignedPayload.decode(round.signed_transcript).payload)
    const rows = db.prepare('SELECT client, idx, digest, receipt FROM submissions WHERE round_id = ?').all(roundId) as Array<{ client: string, idx: number, digest: Uint8Array, receipt: Uint8Array | null }>
    return {
      status: round.status,
      transcript: transcript.contributors.map(c => ({ client: c.client, digest: Buffer.from(c.digest).toString('hex'), index: c.index })).sort(byClient),
      rows: rows.map(r => ({ client: r.client, digest: Buffer.from(r.digest).toString('hex'), index: r.idx, receipted: r.receipt !== null })).sort(byClient)
    }
  })
}

/**
 * Keeps one aggregator child alive under a kill schedule: each incarnation
 * gets a crash plan (a checkpoint, and which hit of it kills), and when it
 * dies by its plan, the next incarnation starts at once on the same data
 * dir and port. Checkpoints are drawn from a shuffled bag, so each of the
 * three is used equally often; the hit count is random in [1, 3].
 */
class KillLoop {
  readonly kills = new Map<CheckpointName, number>(AGGREGATOR_CHECKPOINTS.map(name => [name, 0]))
  /** Kills that came before the incarnation printed its ready line (a resend arrived as soon as it listened). */
  killsBeforeReady = 0
  readonly #processes: NodeProcesses
  readonly #options: Omit<StartNodeProcessOptions, 'crash'>
  readonly #random: () => number
  #current: NodeProcess | undefined
  #bag: CheckpointName[] = []
  #stopped = false
  #loop: Promise<void> = Promise.resolve()
  /** Rejects if an incarnation ends any other way than by its planned SIGKILL; never resolves. */
  failure: Promise<never> = new Promise(() => {})

  private constructor (processes: NodeProcesses, options: Omit<StartNodeProcessOptions, 'crash'>, random: () => number) {
    this.#processes = processes
    this.#options = options
    this.#random = random
  }

  /** Resolves once the first incarnation is ready. */
  static async start (processes: NodeProcesses, options: Omit<StartNodeProcessOptions, 'crash'>, random: () => number): Promise<KillLoop> {
    const loop = new KillLoop(processes, options, random)
    const first = await loop.#incarnation()
    await first.ready
    loop.#loop = loop.#supervise(first)
    loop.failure = loop.#loop.then(async () => new Promise<never>(() => {}))
    loop.failure.catch(() => {})
    return loop
  }

  get totalKills (): number { return [...this.kills.values()].reduce((a, b) => a + b, 0) }

  /**
   * The live incarnation, once it is ready and the coordinator's gossip sees
   * it: connected only through connections it opened (none left over from a
   * killed predecessor) and subscribed to the federation topic. A round
   * announced before that reaches it only through an on-demand catch-up fetch;
   * this test is about counting, so rounds open once the aggregator can hear them.
   */
  async live (coordinator: RunningNode, aggregatorPeer: string): Promise<void> {
    const topic = federationTopic('test')
    await waitUntil(() => {
      const current = this.#current
      if (current === undefined || !current.alive) return false
      const connections = coordinator.libp2p.getConnections(peerIdFromString(aggregatorPeer))
      return connections.length > 0 && connections.every(c => c.timeline.open >= current.startedAtMs) &&
        coordinator.libp2p.services.pubsub.getSubscribers(topic).some(id => id.toString() === aggregatorPeer)
    }, 'the aggregator to be live and subscribed at the coordinator', 60_000)
  }

  async #incarnation (): Promise<NodeProcess> {
    if (this.#bag.length === 0) this.#bag = shuffled(AGGREGATOR_CHECKPOINTS, this.#random)
    const plan: CrashPlan = { at: this.#bag.pop()!, after: 1 + Math.floor(this.#random() * 3) }
    // Not waiting for its ready line: a resend may reach the checkpoint as soon as it listens.
    return this.#processes.spawn({ ...this.#options, crash: plan })
  }

  async #supervise (first: NodeProcess): Promise<void> {
    for (let current = first; ; current = await this.#incarnation()) {
      this.#current = current
      if (this.#stopped) {
        await current.stop()
        return
      }
      let ready = false
      current.ready.then(() => { ready = true }, () => {})
      const end = await current.ended
      if (this.#stopped) return
      if (end.crash === undefined || end.signal !== 'SIGKILL') {
        throw new Error(`aggregator ended without its planned crash (${end.code ?? end.signal}): ${current.stderrTail()}`)
      }
      this.kills.set(end.crash.checkpoint, (this.kills.get(end.crash.checkpoint) ?? 0) + 1)
      if (!ready) this.killsBeforeReady++
    }
  }

  /** Ends the schedule: the live incarnation gets a graceful SIGTERM. */
  async stop (): Promise<void> {
    this.#stopped = true
    await this.#current?.stop()
    await this.#loop.catch(() => {})
  }
}

describe('crash recovery: aggregator SIGKILLed before the write, between write and receipt, and after the receipt', function () {
  this.timeout(300_000)
  const ROUNDS = 4
  // At most 10 peers share the coordinator's loopback IP (8 clients, the harness's idle in-process aggregator and
  // the child). Above 10, gossipsub's IP-colocation penalty, -5 x (peers - 10)^2, makes every score negative, so
  // meshes stop relaying; from 14 on it is below the publish threshold (-50) and announcements reach no one.
  const CLIENTS = 8
  const LENGTH = 3
  const sandbox = useSandbox('kill-loop')

  it(`counts every acknowledged contribution exactly once over ${ROUNDS} rounds x ${CLIENTS} clients (seed ${SEED})`, async () => {
    const random = seededRandom(SEED)
    const started = Date.now()
    const { federation, aggregatorPeer, aggregatorDir, config } = await federationWithChildAggregator(sandbox, CLIENTS)
    const { coordinator, clients } = federation
    const loop = await KillLoop.start(sandbox.processes, { name: 'aggregator', config }, random)
    sandbox.onCleanup(async () => loop.stop())

    const rounds: Array<{ roundId: string, receipts: ReceiptView[], result: RoundResultView }> = []
    const timings: Array<{ receiptsS: number, resultS: number }> = []
    for (let r = 0; r < ROUNDS; r++) {
      await loop.live(coordinator, aggregatorPeer)
      const roundStarted = Date.now()
      const round = await coordinator.openRound({
        length: LENGTH, encoding: 'int:32', minParticipants: 3, deadlineSeconds: 120, aggregator: aggregatorPeer
      })
      await Promise.all(clients.map(async client => waitUntil(async () => (await client.round(round.roundId)) !== undefined, 'announcement')))
      const vectors = clients.map(() => Array.from({ length: LENGTH }, () => Math.floor(random() * 2 ** 32)))
      const delays = clients.map(() => Math.floor(random() * 1500))
      // Staggered starts spread the kills over different interleavings of concurrent submissions.
      const settled = await Promise.race([loop.failure, Promise.allSettled(clients.map(async (client, c) => {
        await sleep(delays[c]!)
        return client.submit(vectors[c]!, { roundId: round.roundId })
      }))])
      const receiptsAt = Date.now()
      const refused = settled.flatMap((s, c) => s.status === 'rejected' ? [`client ${c}: ${(s.reason as Error).name}: ${(s.reason as Error).message}`] : [])
      assert.deepEqual(refused, [], `seed ${SEED}, round ${r}: every client gets a receipt before the deadline`)
      const receipts = settled.map(s => (s as PromiseFulfilledResult<ReceiptView>).value)
      const result = await Promise.race([loop.failure, coordinator.waitForResult(round.roundId, { signal: AbortSignal.timeout(150_000) })])
      timings.push({ receiptsS: (receiptsAt - roundStarted) / 1000, resultS: (Date.now() - receiptsAt) / 1000 })
      rounds.push({ roundId: round.roundId, receipts, result })

      assert.equal(result.status, 'decrypted', `seed ${SEED}, round ${r}: ${result.reason ?? ''}`)
      // Every eligible client holds a receipt, so the round closes early, however the kills fell: the
      // coordinator settles a restarted aggregator's rounds without waiting for the deadline's timer.
      assert.ok(result.decryptedAtMs < round.deadlineMs - 60_000,
        `seed ${SEED}, round ${r}: decrypted ${((round.deadlineMs - result.decryptedAtMs) / 1000).toFixed(1)} s before the deadline, expected well over a minute`)
      assert.equal(result.contributors, receipts.length, `seed ${SEED}, round ${r}: contributors = acknowledged submissions`)
      const expected = Array.from({ length: LENGTH }, (_, i) => vectors.reduce((sum, vector) => sum + BigInt(vector[i]!), 0n).toString())
      assert.deepEqual(result.sum, expected, `seed ${SEED}, round ${r}: the sum is exact`)
      assert.deepEqual(receipts.map(receipt => receipt.index).sort((a, b) => a - b), Array.from({ length: CLIENTS }, (_, i) => i),
        `seed ${SEED}, round ${r}: receipts carry distinct acceptance indices`)
    }
    const kills = Object.fromEntries(loop.kills)
    await loop.stop()

    // The aggregator's own record, read after it stopped: every receipt matches one transcript entry and one stored row.
    for (const [r, { roundId, receipts }] of rounds.entries()) {
      const record = aggregatorRecord(aggregatorDir, roundId)
      const acknowledged = receipts.map(receipt => ({ client: receipt.client, digest: receipt.digest, index: receipt.index })).sort(byClient)
      assert.equal(record.status, 'released', `round ${r}`)
      assert.deepEqual(record.transcript, acknowledged, `seed ${SEED}, round ${r}: the transcript lists exactly the acknowledged submissions`)
      assert.deepEqual(record.rows, acknowledged.map(c => ({ ...c, receipted: true })), `seed ${SEED}, round ${r}: one stored row per client, receipt attached`)
    }
    for (const name of AGGREGATOR_CHECKPOINTS) assert.ok(loop.kills.get(name)! >= 1, `seed ${SEED}: at least one kill at ${name} (${JSON.stringify(kills)})`)
    assert.ok(loop.totalKills >= ROUNDS * 2, `seed ${SEED}: the schedule killed the aggregator ${loop.totalKills} times`)
    if (process.env.FEDAGG_TEST_REPORT !== undefined) {
      process.stderr.write(JSON.stringify({ seed: SEED, submissions: ROUNDS * CLIENTS, kills, killsBeforeReady: loop.killsBeforeReady, timings, seconds: (Date.now() - started) / 1000 }) + '\n')
    }
  })
})

/** In-process nodes that join a coordinator running as a child process, admitted through its control API. */
class Members {
  readonly nodes: RunningNode[] = []
  readonly #root: string
  readonly #control: ControlClient
  readonly #join: string
  readonly #coordinator: string

  constructor (root: string, control: ControlClient, join: string, coordinator: string) {
    this.#root = root
    this.#control = control
    this.#join = join
    this.#coordinator = coordinator
  }

  /**
   * Admits and starts one node, and returns once it holds the roster and exchanges gossip with the
   * coordinator: a roster update published before that would never reach it (gossip is lossy and a
   * member refetches the roster only when it reconnects).
   */
  async add (roles: Role[]): Promise<RunningNode> {
    const node = await createFederationNode(nodeConfig(join(this.#root, `member-${this.nodes.length}`), roles, { join: this.#join }))
    this.nodes.push(node)
    const { version } = await this.#control.addMember(node.peerId, roles)
    await node.start()
    await waitForRoster(node, version, 30_000)
    await waitForSubscriber(node, this.#coordinator)
    return node
  }

  async stop (): Promise<void> {
    await Promise.allSettled(this.nodes.map(async node => node.stop()))
  }
}

describe('crash recovery: coordinator SIGKILLed after recording a result, before publishing it', function () {
  this.timeout(180_000)
  const sandbox = useSandbox('coordinator')

  it('publishes the stored result on restart and never decrypts again', async () => {
    const { processes, root } = sandbox
    const coordinatorDir = join(root, 'coordinator')
    await mkdir(coordinatorDir, { recursive: true, mode: 0o700 })
    await writePaillierKeyFile(coordinatorDir, await fixtureKey(2048))
    const config = childConfig(coordinatorDir, ['coordinator'], await freeTcpPort())
    const first = await processes.start({ name: 'coordinator', config, crash: { at: 'coordinator:after-record', after: 1 } })
    const { peerId: coordinatorPeer, multiaddrs } = await first.ready
    const control = await first.control()
    const members = new Members(root, control, multiaddrs[0]!, coordinatorPeer)
    sandbox.onCleanup(async () => members.stop())
    const aggregator = await members.add(['aggregator'])
    const clients = [await members.add(['client']), await members.add(['client']), await members.add(['client'])]
    const { version } = await control.roster()
    for (const node of members.nodes) await waitForRoster(node, version, 30_000)

    const round = await control.openRound({ length: 3, encoding: 'int:32', minParticipants: 3, deadlineSeconds: 60 })
    await Promise.all(clients.map(async client => waitUntil(async () => (await client.round(round.roundId)) !== undefined, 'announcement')))
    const vectors = [[1, 2, 3], [10, 20, 30], [2 ** 32 - 1, 0, 7]]
    await Promise.all(clients.map(async (client, c) => client.submit(vectors[c]!, { roundId: round.roundId })))
    const expected = ['4294967306', '22', '40']

    // The aggregator closes at once (every eligible client submitted); the coordinator pulls, decrypts, records, dies.
    const end = await within(first.ended, 60_000, () => `the coordinator to die at coordinator:after-record: ${first.stderrTail()}`)
    assert.equal(end.signal, 'SIGKILL')
    assert.equal(end.crash?.checkpoint, 'coordinator:after-record')

    // On disk at the moment of death: one result, recorded with the round's final status, never published.
    const atCrash = coordinatorRecord(coordinatorDir, round.roundId)
    assert.equal(atCrash.status, 'decrypted')
    assert.equal(atCrash.results.length, 1)
    const [recorded] = atCrash.results
    assert.equal(recorded!.roundId, round.roundId)
    assert.equal(recorded!.publishedAtMs, null)
    const storedResult = WIRE.RoundResult.decode(WIRE.SignedPayload.decode(recorded!.result).payload)
    assert.deepEqual(storedResult.sum, expected, 'it decrypted the right sum before dying')
    for (const node of members.nodes) assert.equal(await node.result(round.roundId), undefined, 'nobody saw the result before the crash')

    // Same data dir, port and key file: same peer ID and address, so members reconnect on their own.
    const restartedAt = Date.now()
    const second = await processes.start({ name: 'coordinator', config })
    assert.equal((await second.ready).peerId, coordinatorPeer)
    const seen = await Promise.all(members.nodes.map(async node => node.waitForResult(round.roundId, { signal: AbortSignal.timeout(20_000) }).catch((err: Error) => {
      const publishedAtMs = coordinatorRecord(coordinatorDir, round.roundId).results[0]?.publishedAtMs
      const reconnectedAtMs = node.libp2p.getConnections(peerIdFromString(coordinatorPeer))[0]?.timeline.open
      throw new Error(`${node.peerId === aggregator.peerId ? 'the aggregator' : 'a client'} never received the republished result (${err.message}); ` +
        `the restarted coordinator marked it published ${publishedAtMs == null ? 'never' : `${publishedAtMs - restartedAt} ms after its restart`}, ` +
        `this member reconnected ${reconnectedAtMs === undefined ? 'never' : `${reconnectedAtMs - restartedAt} ms after it`}`)
    })))
    for (const result of seen) {
      assert.equal(result.status, 'decrypted')
      assert.equal(result.contributors, 3)
      assert.deepEqual(result.sum, expected)
      // The very message recorded before the crash: a new decryption would carry a new decryptedAtMs.
      assert.equal(result.decryptedAtMs, storedResult.decryptedAtMs)
    }

    // Never decrypted again: the restarted process counts no decryption, and the store still holds the one
    // result recorded before the crash, byte for byte, now marked published.
    assert.equal(decryptionCount(await (await second.control()).metrics()), 0, 'the restarted coordinator decrypted nothing')
    const afterRestart = coordinatorRecord(coordinatorDir, round.roundId)
    assert.equal(afterRestart.results.length, 1)
    assert.ok(afterRestart.results[0]!.result.equals(recorded!.result))
    assert.equal(afterRestart.results[0]!.recordedAtMs, recorded!.recordedAtMs)
    assert.ok((afterRestart.results[0]!.publishedAtMs ?? 0) >= restartedAt, 'marked published by the restarted process')
    assert.deepEqual((await (await second.control()).result(round.roundId)).sum, expected)
  })
})

describe('crash recovery: aggregator restarted with every contribution stored', function () {
  this.timeout(120_000)
  const sandbox = useSandbox('close')

  // The restarted aggregator closes the round while it starts (every eligible client is stored) and
  // publishes its transcript before any peer is connected: the coordinator, which settles early only on
  // that gossip, then waits for the deadline. Fails until the transcript is republished once peers are back.
  it('closes the round and the coordinator settles it well before the deadline', async () => {
    // Far beyond anything this test waits for, so that a slow restart cannot let the deadline path settle the
    // round in the early path's place; the test itself still ends as soon as the result is in.
    const DEADLINE_S = 120
    const SETTLE_WITHIN_MS = 15_000
    const { processes } = sandbox
    const { federation: { coordinator, clients }, aggregatorPeer, config } = await federationWithChildAggregator(sandbox, 3)
    // Dies right after committing the third (last) submission, before its receipt.
    const first = await processes.start({ name: 'aggregator', config, crash: { at: 'aggregator:after-write', after: 3 } })
    await waitForSubscriber(coordinator, aggregatorPeer)

    const round = await coordinator.openRound({ length: 2, encoding: 'int:32', minParticipants: 3, deadlineSeconds: DEADLINE_S, aggregator: aggregatorPeer })
    await Promise.all(clients.map(async client => waitUntil(async () => (await client.round(round.roundId)) !== undefined, 'announcement')))
    await clients[0]!.submit([1, 2], { roundId: round.roundId })
    await clients[1]!.submit([3, 4], { roundId: round.roundId })
    const last = clients[2]!.submit([5, 6], { roundId: round.roundId })
    const end = await within(first.ended, 30_000, () => 'the aggregator to die at aggregator:after-write')
    assert.equal(end.crash?.checkpoint, 'aggregator:after-write')
    await processes.start({ name: 'aggregator', config })
    const receipt = await last
    assert.equal(receipt.index, 2, 'the resend gets the receipt of the committed submission')
    const receivedAt = Date.now()

    const result = await within(coordinator.waitForResult(round.roundId), SETTLE_WITHIN_MS, () =>
      `the result: the round was complete when the last receipt came back, yet the coordinator has not settled it ` +
      `(it never saw the transcript, and waits for the deadline ${round.deadlineMs - receivedAt} ms after that receipt)`)
    assert.equal(result.status, 'decrypted')
    assert.deepEqual(result.sum, ['9', '12'])
    const earlyMs = round.deadlineMs - result.decryptedAtMs
    assert.ok(earlyMs > DEADLINE_S * 1000 / 2, `decrypted ${earlyMs} ms before the deadline: the deadline path, not the transcript, settled it`)
  })
})

describe('crash recovery: aggregator down when a round opens', function () {
  this.timeout(120_000)
  const sandbox = useSandbox('down')

  it('learns the round when it comes back, and every client gets its receipt', async () => {
    const { processes } = sandbox
    const { federation: { coordinator, clients }, aggregatorPeer, config } = await federationWithChildAggregator(sandbox, 3)
    const first = await processes.start({ name: 'aggregator', config })
    await waitForSubscriber(coordinator, aggregatorPeer)
    first.signal('SIGKILL')
    await first.ended

    const round = await coordinator.openRound({ length: 2, encoding: 'int:32', minParticipants: 3, deadlineSeconds: 45, aggregator: aggregatorPeer })
    await Promise.all(clients.map(async client => waitUntil(async () => (await client.round(round.roundId)) !== undefined, 'announcement')))
    // Clients start while it is down: they retry until it is back, and their first resend may beat its catch-up.
    const submissions = Promise.allSettled(clients.map(async (client, c) => client.submit([c, 10 * c], { roundId: round.roundId })))
    await sleep(1_000)
    await processes.start({ name: 'aggregator', config })
    const settled = await submissions
    const refused = settled.flatMap((s, c) => s.status === 'rejected' ? [`client ${c}: ${(s.reason as Error).message}`] : [])
    assert.deepEqual(refused, [])
    const result = await coordinator.waitForResult(round.roundId, { signal: AbortSignal.timeout(60_000) })
    assert.deepEqual(result.sum, ['3', '30'])
  })
})
