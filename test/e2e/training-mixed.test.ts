// Must-show: one session in which three clients train in TypeScript and one in Python (the system python3, via clients/python).
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { createControlToken, writeControlFile } from '../../node/control/control-file.ts'
import { startControlServer } from '../../node/control/server.ts'
import type { ControlServer } from '../../node/control/server.ts'
import { runTrainer } from '../../node/federation-node.ts'
import { startFederation } from '../helpers/federation.ts'
import type { TestFederation } from '../helpers/federation.ts'
import { LinearTrainer, linearShard, trainingOf, meanSquaredError } from '../helpers/linear-trainer.ts'
import { NO_PYTHON_MESSAGE, pythonWithNumpy } from '../helpers/python.ts'

const PYTHON_TRAINER = fileURLToPath(new URL('../../clients/python/examples/linear_trainer.py', import.meta.url))
const PARAMETERS = 24
const ROUNDS = 3

interface PythonRun { code: number | null, lines: Array<Record<string, unknown>>, stderr: string }

describe('training session with TypeScript and Python trainers', function () {
  this.timeout(240_000)
  let federation: TestFederation | undefined
  let control: ControlServer | undefined
  let python: string | undefined

  before(function () {
    python = pythonWithNumpy()
    if (python === undefined) {
      console.warn(`skipping: ${NO_PYTHON_MESSAGE}`)
      this.skip()
    }
  })

  afterEach(async () => {
    await control?.close()
    await federation?.stop()
  })

  it('aggregates TypeScript and Python updates in every round and all end on one model', async () => {
    federation = await startFederation({ clients: 4 })
    const { coordinator, clients } = federation
    const pythonNode = clients[3]!
    const token = createControlToken()
    control = await startControlServer({ node: pythonNode, token })
    await writeControlFile(pythonNode.dataDir, { url: control.url, token })

    const session = await trainingOf(coordinator).startSession({ parameterCount: PARAMETERS, rounds: ROUNDS, epochs: 3, minParticipants: 3, roundDeadlineSeconds: 90 })
    const child = spawn(python as string, [PYTHON_TRAINER, '--data-dir', pythonNode.dataDir, '--session', session.sessionId, '--samples', '150', '--seed', '11'], { stdio: ['ignore', 'pipe', 'pipe'] })
    const pythonRun = new Promise<PythonRun>((resolve, reject) => {
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
      child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
      child.on('error', reject)
      child.on('close', code => {
        resolve({ code, stderr, lines: stdout.split('\n').filter(line => line !== '').map(line => JSON.parse(line) as Record<string, unknown>) })
      })
    })
    const trainers = clients.slice(0, 3).map((_, i) => new LinearTrainer(linearShard(PARAMETERS, 80 + 20 * i, 200 + i)))
    let finals
    try {
      finals = await Promise.all(trainers.map(async (trainer, i) => runTrainer(trainingOf(clients[i]!), trainer, { sessionId: session.sessionId })))
    } finally {
      // Whatever happened, the child must not outlive the test.
      setTimeout(() => { child.kill('SIGKILL') }, 30_000).unref()
    }
    const { code, lines, stderr } = await pythonRun
    assert.equal(code, 0, `the Python trainer failed: ${stderr}`)
    assert.deepEqual(lines.filter(line => line.submitted === true).map(line => line.round), [0, 1, 2])
    const last = lines.at(-1)
    assert.equal(last?.final, true)

    const view = await trainingOf(coordinator).session(session.sessionId)
    assert.ok(view !== undefined)
    assert.equal(view.status, 'completed')
    for (const round of view.history.slice(0, ROUNDS)) {
      assert.equal(round.status, 'decrypted')
      assert.deepEqual(new Set(round.contributors), new Set(clients.map(client => client.peerId)), `round ${round.round} counts all four trainers`)
      assert.equal(round.weightSum, 80 + 100 + 120 + 150)
    }
    for (const final of finals) assert.equal(final.modelHash, view.modelHash)
    const pythonFinal = await trainingOf(pythonNode).currentModel(session.sessionId)
    assert.equal(pythonFinal.modelHash, view.modelHash)
    // The shared model fits the TypeScript shards and the Python shard alike.
    const zeros = new Float64Array(PARAMETERS)
    for (const trainer of trainers) assert.ok(meanSquaredError(trainer.shard, finals[0]!.parameters) < meanSquaredError(trainer.shard, zeros) / 4)
    // From zeros the loss is Σ sin²(j) ≈ P/2; a quarter of that or less means the Python shard gained too.
    assert.ok(typeof last?.loss === 'number' && last.loss < PARAMETERS / 8, `Python's loss on its shard: ${String(last?.loss)}`)
  })
})
