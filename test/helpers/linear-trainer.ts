// A small synthetic trainer for session tests: least squares on generated data, the model examples/linear_trainer.py trains.
import assert from 'node:assert/strict'
import type { Trainer, TrainerUpdate, TrainingApi, TrainingContext } from '../../node/api.ts'
import { seededRandom } from './seeded-random.ts'

/** A node's training API, which every node built by createFederationNode has. */
export function trainingOf (node: { training?: TrainingApi }): TrainingApi {
  assert.ok(node.training !== undefined)
  return node.training
}

/** True weights w*_j = sin(j + 1), the formula the Python example uses, so both languages train one model. */
export function trueWeights (parameterCount: number): Float64Array {
  return Float64Array.from({ length: parameterCount }, (_, j) => Math.sin(j + 1))
}

export interface LinearShard {
  features: Float64Array[]
  targets: Float64Array
}

/** `samples` rows of standard-normal features (Box–Muller) and targets X·w* plus small noise. */
export function linearShard (parameterCount: number, samples: number, seed: number): LinearShard {
  const uniform = seededRandom(seed)
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform())
  const truth = trueWeights(parameterCount)
  const features = Array.from({ length: samples }, () => Float64Array.from({ length: parameterCount }, normal))
  const targets = Float64Array.from(features, row => dot(row, truth) + 0.01 * normal())
  return { features, targets }
}

export function meanSquaredError (shard: LinearShard, weights: Float64Array): number {
  let total = 0
  for (const [i, row] of shard.features.entries()) total += (dot(row, weights) - shard.targets[i]!) ** 2
  return total / shard.targets.length
}

/** E epochs of full-batch gradient descent on (1/n)·‖Xw − y‖², gradient (2/n)·Xᵀ(Xw − y). */
export class LinearTrainer implements Trainer {
  readonly shard: LinearShard
  readonly learningRate: number
  /** The round index and global model of each train() call. */
  readonly rounds: number[] = []
  readonly globals: Float64Array[] = []

  constructor (shard: LinearShard, learningRate = 0.1) {
    this.shard = shard
    this.learningRate = learningRate
  }

  async train (global: Float64Array, context: TrainingContext): Promise<TrainerUpdate> {
    this.rounds.push(context.round)
    this.globals.push(Float64Array.from(global))
    const weights = Float64Array.from(global)
    const n = this.shard.targets.length
    for (let epoch = 0; epoch < context.epochs; epoch++) {
      const gradient = new Float64Array(weights.length)
      for (const [i, row] of this.shard.features.entries()) {
        const residual = dot(row, weights) - this.shard.targets[i]!
        for (let j = 0; j < row.length; j++) gradient[j]! += (2 / n) * residual * row[j]!
      }
      for (let j = 0; j < weights.length; j++) weights[j]! -= this.learningRate * gradient[j]!
    }
    return { update: weights.map((value, j) => value - global[j]!), weight: n }
  }
}

function dot (a: Float64Array, b: Float64Array): number {
  let sum = 0
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!
  return sum
}
