// Training sessions end to end over loopback TCP: TypeScript trainers, FedAvg rounds, and the records they leave.
import assert from 'node:assert/strict'
import { runTrainer } from '../../node/federation-node.ts'
import { quantizationBound } from '../../protocol/training/index.ts'
import { startFederation } from '../helpers/federation.ts'
import type { TestFederation } from '../helpers/federation.ts'
import { LinearTrainer, linearShard, trainingOf, meanSquaredError } from '../helpers/linear-trainer.ts'

const PARAMETERS = 16

describe('training session with TypeScript trainers', function () {
  this.timeout(180_000)
  let federation: TestFederation

  afterEach(async () => { await federation?.stop() })

  it('runs R FedAvg rounds: every round names its contributors and moves the model by their weighted mean', async () => {
    federation = await startFederation({ clients: 3 })
    const { coordinator, clients } = federation
    const trainers = clients.map((_, i) => new LinearTrainer(linearShard(PARAMETERS, 60 + 40 * i, 100 + i)))
    const session = await trainingOf(coordinator).startSession({ parameterCount: PARAMETERS, rounds: 4, epochs: 2, minParticipants: 3, roundDeadlineSeconds: 60 })
    const finals = await Promise.all(clients.map(async (client, i) => runTrainer(trainingOf(client), trainers[i]!, { sessionId: session.sessionId })))

    const view = await trainingOf(coordinator).session(session.sessionId)
    assert.ok(view !== undefined)
    assert.equal(view.status, 'completed')
    assert.equal(view.round, 4)
    assert.deepEqual(view.history.map(round => round.status), ['decrypted', 'decrypted', 'decrypted', 'decrypted', 'final'])
    for (const round of view.history.slice(0, 4)) {
      assert.deepEqual(new Set(round.contributors), new Set(clients.map(client => client.peerId)))
      assert.equal(round.weightSum, 60 + 100 + 140)
    }
    // Every client ends with the coordinator's final model.
    for (const final of finals) {
      assert.equal(final.final, true)
      assert.equal(final.modelHash, view.modelHash)
    }
    for (const trainer of trainers) assert.deepEqual(trainer.rounds, [0, 1, 2, 3])

    // Round 0 started from zeros: round 1's global model is the weighted mean of the three clipped updates, within 2^−(f+1).
    const zeros = new Float64Array(PARAMETERS)
    const updates = await Promise.all(trainers.map(async trainer => new LinearTrainer(trainer.shard).train(zeros, { sessionId: session.sessionId, round: 0, epochs: 2, signal: AbortSignal.timeout(1000) })))
    const weightSum = updates.reduce((sum, { weight }) => sum + weight, 0)
    const roundOne = trainers[0]!.globals[1]!
    for (let j = 0; j < PARAMETERS; j++) {
      const expected = updates.reduce((sum, { update, weight }) => sum + weight * Math.max(-1, Math.min(1, update[j]!)), 0) / weightSum
      assert.ok(Math.abs(roundOne[j]! - expected) <= quantizationBound({ fractionBits: 24 }) + 1e-15, `parameter ${j}: ${roundOne[j]} vs ${expected}`)
    }

    // Training helped: the final model fits every shard far better than the initial zeros.
    for (const trainer of trainers) {
      assert.ok(meanSquaredError(trainer.shard, finals[0]!.parameters) < meanSquaredError(trainer.shard, zeros) / 4)
    }
  })
})
