// Must-show: a client killed in round k leaves only round k short of it; a coordinator SIGKILLed mid-session resumes from its checkpoint.
import assert from 'node:assert/strict'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { ModelView, Role, SessionView, Trainer, TrainerUpdate, TrainingContext } from '../../node/api.ts'
import { readControlFile } from '../../node/control/control-file.ts'
import { createFederationNode, runTrainer } from '../../node/federation-node.ts'
import { loadOrCreateIdentity } from '../../node/identity.ts'
import { writePaillierKeyFile } from '../../node/keys/paillier-key-file.ts'
import type { RunningNode } from '../../node/running-node.ts'
import { federationTopic } from '../../protocol/messages/index.ts'
import { fixtureKey, nodeConfig, startFederation, waitForRoster, waitUntil } from '../helpers/federation.ts'
import type { TestFederation } from '../helpers/federation.ts'
import { LinearTrainer, linearShard, trainingOf } from '../helpers/linear-trainer.ts'
import { withDatabase } from '../helpers/node-db.ts'
import { NodeProcesses, freeTcpPort } from '../helpers/node-process.ts'
import type { NodeProcess } from '../helpers/node-process.ts'

const PARAMETERS = 12

/** Trains like `inner`, but when asked for round `killAt` SIGKILLs the node process it trains for, before any submission. */
class KillingTrainer implements Trainer {
  readonly #inner: Trainer
  readonly #killAt: number
  readonly #node: NodeProcess

  constructor (inner: Trainer, killAt: number, node: NodeProcess) {
    this.#inner = inner
    this.#killAt = killAt
    this.#node = node
  }

  async train (global: Float64Array, context: TrainingContext): Promise<TrainerUpdate> {
    if (context.round === this.#killAt) {
      this.#node.signal('SIGKILL')
      await this.#node.ended
      throw new Error('killed')
    }
    return this.#inner.train(global, context)
  }
}

describe('training session: a client process is SIGKILLed in round k', function () {
  this.timeout(300_000)
  const processes = new NodeProcesses()
  let federation: TestFederation | undefined
  let root = ''

  before(async () => { root = await mkdtemp(join(tmpdir(), 'fedagg-e2e-dropout-')) })
  after(async () => {
    await processes.stopAll()
    await federation?.stop()
    await rm(root, { recursive: true, force: true })
  })

  it('round k completes with the others and names them; later rounds go on without the dead client', async () => {
    federation = await startFederation({ clients: 3 })
    const { coordinator, aggregator, clients } = federation
    // The fourth client is a daemon of its own, trained through its control API, so it can die by SIGKILL.
    const childDir = join(root, 'client')
    await mkdir(childDir, { recursive: true, mode: 0o700 })
    const childPeer = peerIdFromPrivateKey(await loadOrCreateIdentity(childDir)).toString()
    const { version } = await coordinator.addMember(childPeer, ['client'])
    for (const node of [aggregator, ...clients]) await waitForRoster(node, version)
    const child = await processes.start({
      name: 'client',
      config: nodeConfig(childDir, ['client'], { listen: [`/ip4/127.0.0.1/tcp/${await freeTcpPort()}`], logLevel: 'warn', join: coordinator.multiaddrs()[0]! })
    })
    const control = await child.control()
    await waitUntil(async () => (await control.status()).rosterVersion >= version, 'the child to hold the roster', 30_000)

    const KILL_ROUND = 1
    const shards = [0, 1, 2, 3].map(i => linearShard(PARAMETERS, 50 + 10 * i, 300 + i))
    // The round with the dead client runs to its deadline; the others close as soon as all submitted. The
    // deadline leaves a loaded machine time for round 0's first key-proof checks and encryptions.
    const session = await trainingOf(coordinator).startSession({ parameterCount: PARAMETERS, rounds: 4, minParticipants: 3, roundDeadlineSeconds: 30 })
    const runs = [
      ...clients.map(async (client, i) => runTrainer(trainingOf(client), new LinearTrainer(shards[i]!), { sessionId: session.sessionId })),
      runTrainer(control.training, new KillingTrainer(new LinearTrainer(shards[3]!), KILL_ROUND, child), { sessionId: session.sessionId })
    ]
    await assert.rejects(runs[3]!, /killed/)
    assert.equal((await child.ended).signal, 'SIGKILL')
    await Promise.all(runs.slice(0, 3))

    const view = await trainingOf(coordinator).session(session.sessionId) as SessionView
    assert.equal(view.status, 'completed')
    const survivors = new Set(clients.map(client => client.peerId))
    assert.deepEqual(view.history.map(round => round.status), ['decrypted', 'decrypted', 'decrypted', 'decrypted', 'final'], JSON.stringify(view.history))
    assert.deepEqual(new Set(view.history[0]!.contributors), new Set([...survivors, childPeer]))
    assert.equal(view.history[0]!.weightSum, 50 + 60 + 70 + 80)
    for (const round of view.history.slice(KILL_ROUND, 4)) {
      assert.deepEqual(new Set(round.contributors), survivors, `round ${round.round} names the three survivors`)
      assert.equal(round.weightSum, 50 + 60 + 70)
    }
  })
})

describe('training session: the coordinator is SIGKILLed mid-session', function () {
  this.timeout(300_000)
  const processes = new NodeProcesses()
  const members: RunningNode[] = []
  let root = ''

  before(async () => { root = await mkdtemp(join(tmpdir(), 'fedagg-e2e-training-')) })
  after(async () => {
    await Promise.allSettled(members.map(async node => node.stop()))
    await processes.stopAll()
    await rm(root, { recursive: true, force: true })
  })

  it('resumes from the checkpoint it wrote with round k\'s result, and decrypts no round twice', async () => {
    const ROUNDS = 4
    const coordinatorDir = join(root, 'coordinator')
    await mkdir(coordinatorDir, { recursive: true, mode: 0o700 })
    await writePaillierKeyFile(coordinatorDir, await fixtureKey(2048))
    const config = nodeConfig(coordinatorDir, ['coordinator'], { listen: [`/ip4/127.0.0.1/tcp/${await freeTcpPort()}`], logLevel: 'warn' })
    // Dies right after the transaction that records round 1's result and the session's checkpoint commits.
    const first = await processes.start({ name: 'coordinator', config, crash: { at: 'coordinator:after-record', after: 2 } })
    const { peerId: coordinatorPeer, multiaddrs } = await first.ready
    const control = await first.control()
    for (const [i, roles] of ([['aggregator'], ['client'], ['client'], ['client']] as Role[][]).entries()) {
      const node = await createFederationNode(nodeConfig(join(root, `member-${i}`), roles, { join: multiaddrs[0]! }))
      members.push(node)
      const { version } = await control.addMember(node.peerId, roles)
      await node.start()
      await waitForRoster(node, version, 30_000)
      await waitUntil(() => node.libp2p.services.pubsub.getSubscribers(federationTopic('test')).some(id => id.toString() === coordinatorPeer),
        'gossip with the coordinator', 30_000)
    }
    const clients = members.slice(1)

    const session = await controlCall<SessionView>(coordinatorDir, 'POST', '/sessions', { parameterCount: PARAMETERS, rounds: ROUNDS, minParticipants: 3, roundDeadlineSeconds: 60 })
    const trainers = clients.map((_, i) => new LinearTrainer(linearShard(PARAMETERS, 40 + 10 * i, 400 + i)))
    const runs = clients.map(async (client, i) => runTrainer(trainingOf(client), trainers[i]!, { sessionId: session.sessionId }))
    runs.forEach(run => { run.catch(() => {}) })

    const end = await first.ended
    assert.equal(end.signal, 'SIGKILL')
    assert.equal(end.crash?.checkpoint, 'coordinator:after-record')
    // On disk at the moment of death: two results, and a checkpoint that already holds round 1's outcome and model.
    const atCrash = coordinatorDisk(coordinatorDir, session.sessionId)
    assert.equal(atCrash.results.length, 2)
    assert.equal(atCrash.state.round, 2)
    assert.deepEqual(atCrash.rounds.map(round => [round.round, round.decided]), [[0, true], [1, true]])
    assert.equal(atCrash.state.modelHash, atCrash.modelOf(atCrash.state.round), 'the checkpoint names the model round 2 trains from')

    const second = await processes.start({ name: 'coordinator', config })
    assert.equal((await second.ready).peerId, coordinatorPeer)
    const finals: ModelView[] = await Promise.all(runs)

    const after = coordinatorDisk(coordinatorDir, session.sessionId)
    assert.equal(after.state.status, 'completed')
    assert.equal(after.results.length, ROUNDS)
    // Rounds 0 and 1 keep the results recorded before the crash, byte for byte; the restarted process decrypted only rounds 2 and 3.
    for (const recorded of atCrash.results) assert.ok(after.results.find(result => result.roundId === recorded.roundId)?.result.equals(recorded.result))
    assert.equal(decryptionCount(await (await second.control()).metrics()), ROUNDS - 2)
    const view = await controlCall<SessionView>(coordinatorDir, 'GET', `/sessions/${session.sessionId}`)
    assert.deepEqual(view.history.map(round => round.status), ['decrypted', 'decrypted', 'decrypted', 'decrypted', 'final'])
    for (const round of view.history.slice(0, ROUNDS)) assert.deepEqual(new Set(round.contributors), new Set(clients.map(client => client.peerId)))
    for (const final of finals) assert.equal(final.modelHash, view.modelHash)
    for (const trainer of trainers) assert.deepEqual(trainer.rounds, [0, 1, 2, 3])
  })
})

async function controlCall<T> (dataDir: string, method: string, path: string, body?: unknown): Promise<T> {
  const { url, token } = await readControlFile(dataDir)
  const response = await fetch(url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
  const json = await response.json() as T
  assert.equal(response.status, 200, JSON.stringify(json))
  return json
}

interface CoordinatorDisk {
  results: Array<{ roundId: string, result: Buffer }>
  state: { round: number, status: string, modelHash: string }
  rounds: Array<{ round: number, decided: boolean }>
  modelOf: (round: number) => string | undefined
}

/** What the coordinator process left in node.db: results, the session checkpoint, and the published training rounds. */
function coordinatorDisk (dataDir: string, sessionId: string): CoordinatorDisk {
  return withDatabase(dataDir, db => {
    const results = (db.prepare('SELECT round_id, result FROM results ORDER BY recorded_at_ms').all() as Array<{ round_id: string, result: Uint8Array }>)
      .map(row => ({ roundId: row.round_id, result: Buffer.from(row.result) }))
    const session = db.prepare('SELECT state FROM training_sessions WHERE session_id = ?').get(sessionId) as { state: string }
    const { state } = JSON.parse(session.state) as { state: CoordinatorDisk['state'] }
    const rows = db.prepare('SELECT round, outcome, model_hash FROM training_rounds WHERE session_id = ? ORDER BY round').all(sessionId) as Array<{ round: number, outcome: string | null, model_hash: string }>
    // A decided round's outcome names the model it produced: the next round trains from it.
    const produced = new Map(rows.filter(row => row.outcome !== null).map(row => [row.round + 1, (JSON.parse(row.outcome!) as { modelAfter: string }).modelAfter]))
    return {
      results,
      state,
      rounds: rows.map(row => ({ round: row.round, decided: row.outcome !== null })),
      modelOf: round => produced.get(round)
    }
  })
}

function decryptionCount (prometheusText: string): number {
  return [...prometheusText.matchAll(/^fedagg_decryptions_total(?:\{[^}]*\})? (\d+)$/gm)].reduce((sum, match) => sum + Number(match[1]), 0)
}
