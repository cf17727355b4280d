// The spam model: deterministic seeded SGD, better than chance on a small shard, clipped updates, and the same model as the Python trainer.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { PARAMETER_COUNT, evaluate, initialParameters } from '../../../../node/training/spam/model.ts'
import { mulberry32, permutation, uniformRandom } from '../../../../node/training/spam/random.ts'
import { splitCorpus } from '../../../../node/training/spam/split.ts'
import { SpamTrainer, toExamples, trainCentralized } from '../../../../node/training/spam/trainer.ts'
import { NO_PYTHON_MESSAGE, PYTHON_EXAMPLES, pythonWithNumpy, runPythonJson } from '../../../helpers/python.ts'
import { sampleSpamCorpus } from '../../../../node/training/spam/corpus.ts'

const context = { sessionId: 'test', round: 1, epochs: 3, signal: new AbortController().signal }

describe('node/training/spam/trainer', function () {
  this.timeout(120_000)
  const split = splitCorpus(sampleSpamCorpus(150), { organizations: 3 })
  const shard = split.shards[0] ?? []
  const examples = toExamples(shard)
  const test = toExamples(split.test)
  const options = { organization: 0, examples, learningRate: 1, seed: 7, clip: 8 }

  it('draws a known mulberry32 stream and proper permutations', () => {
    const next = mulberry32(1)
    // The widely quoted first output of mulberry32(1) is 0.6270739405881613 = 2693262067 / 2^32;
    // the next two are what the Python Mulberry32 draws too.
    assert.deepEqual([next(), next(), next()], [2693262067, 11749833, 2265367787])
    assert.equal(uniformRandom(1)(), 0.6270739405881613)
    const p = permutation(100, 42)
    assert.deepEqual([...p].sort((a, b) => a - b), Array.from({ length: 100 }, (_, i) => i))
    assert.deepEqual(permutation(100, 42), p)
    assert.notDeepEqual(permutation(100, 43), p)
  })

  it('trains deterministically: the same seed gives the same update bit for bit, another seed another one', async () => {
    const a = await new SpamTrainer(options).train(initialParameters(), context)
    const b = await new SpamTrainer(options).train(initialParameters(), context)
    assert.deepEqual(a, b)
    assert.equal(a.weight, examples.length)
    assert.equal(a.update.length, PARAMETER_COUNT)
    const other = await new SpamTrainer({ ...options, seed: 8 }).train(initialParameters(), context)
    assert.notDeepEqual(other.update, a.update)
    const nextRound = await new SpamTrainer(options).train(initialParameters(), { ...context, round: 2 })
    assert.notDeepEqual(nextRound.update, a.update, 'each round reshuffles')
  })

  it('beats chance on the held-out set after training on one small shard', async () => {
    const { update } = await new SpamTrainer(options).train(initialParameters(), context)
    const { accuracy, f1 } = evaluate(update, test)
    // Half the test set is spam, so always guessing one class scores 0.5.
    assert.ok(accuracy > 0.8, `accuracy ${accuracy}`)
    assert.ok(f1 > 0.75, `f1 ${f1}`)
  })

  it('counts the update values beyond the clip bound, which the node will clip', async () => {
    const trainer = new SpamTrainer({ ...options, clip: 0.05 })
    const { update } = await trainer.train(initialParameters(), context)
    const beyond = update.filter(value => Math.abs(value) > 0.05).length
    assert.ok(beyond > 0)
    assert.deepEqual(trainer.lastClipStats, {
      clipped: beyond,
      nonZero: update.filter(value => value !== 0).length,
      maxAbs: Math.max(...update.map(Math.abs))
    })
  })

  it('trains the centralized baseline deterministically from the initial model', () => {
    const a = trainCentralized(examples, { epochs: 2, learningRate: 1, seed: 7 }, initialParameters())
    assert.deepEqual(trainCentralized(examples, { epochs: 2, learningRate: 1, seed: 7 }, initialParameters()), a)
    assert.ok(evaluate(a, test).accuracy > 0.8)
  })

  it('refuses options that cannot train', async () => {
    await assert.rejects(new SpamTrainer(options).train(initialParameters(), { ...context, epochs: 0 }), { name: 'InvalidTrainingOptionError' })
    assert.throws(() => new SpamTrainer({ ...options, learningRate: Number.NaN }), { name: 'InvalidTrainingOptionError' })
    assert.throws(() => new SpamTrainer({ ...options, clip: 0 }), { name: 'InvalidTrainingOptionError' })
    assert.throws(() => new SpamTrainer({ ...options, examples: [] }), { name: 'InvalidTrainingOptionError' })
  })

  it('trains the same model as the Python trainer from a non-zero global model (python3)', async function () {
    const python = pythonWithNumpy()
    if (python === undefined) {
      console.warn(`skipping: ${NO_PYTHON_MESSAGE}`)
      this.skip()
    }
    const global = (await new SpamTrainer({ ...options, seed: 1 }).train(initialParameters(), context)).update
    const round = { ...context, round: 3 }
    const ours = await new SpamTrainer({ ...options, organization: 2 }).train(global, round)
    const theirs = await runPythonJson<{ update: number[], weight: number }>(python, join(PYTHON_EXAMPLES, 'spam_model.py'), ['train'], {
      global: [...global],
      examples: shard.map(({ text, label }) => ({ text, label })),
      epochs: context.epochs,
      learning_rate: options.learningRate,
      seed: options.seed,
      organization: 2,
      round: round.round
    })
    assert.equal(theirs.weight, ours.weight)
    let worst = 0
    theirs.update.forEach((value, i) => { worst = Math.max(worst, Math.abs(value - (ours.update[i] as number))) })
    // Same shuffles, same summation order; only exp() may differ in its last bit between libms.
    assert.ok(worst < 1e-9, `largest difference ${worst}`)
  })
})
