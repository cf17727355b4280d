// The spam model as a Trainer (local SGD from the global model; the node clips the update to the session bound) and its centralized baseline.
import { FedaggError } from '../../../protocol/errors.ts'
import type { Trainer, TrainerUpdate, TrainingContext } from '../trainer.ts'
import type { Email } from './corpus.ts'
import { featurize } from './features.ts'
import type { SparseFeatures } from './features.ts'
import { sgdEpoch } from './model.ts'
import type { Example } from './model.ts'
import { permutation, streamSeed } from './random.ts'

export class InvalidTrainingOptionError extends FedaggError {
  static override name = 'InvalidTrainingOptionError'
}

export interface SgdOptions {
  /** Passes over the data. */
  epochs: number
  learningRate: number
  /** Seeds every shuffle; the same seed gives the same model bit for bit. */
  seed: number
}

export interface SpamTrainerInit extends Omit<SgdOptions, 'epochs'> {
  /** This organization's index; part of its shuffle seeds so organizations differ. */
  organization: number
  examples: readonly Example[]
  /**
   * The session's clip bound C. The node clips each submitted value to
   * [−C, C]; the trainer only counts how many values it will clip.
   */
  clip: number
}

/** Counts from the last train() call, for the docs' "how often clipping bites". */
export interface ClipStats {
  clipped: number
  nonZero: number
  maxAbs: number
}

/**
 * Runs the session's E epochs (context.epochs); epoch e of round r shuffles
 * the shard with seed FNV-1a("seed <seed>/org <j>/round <r>/epoch <e>").
 */
export class SpamTrainer implements Trainer {
  readonly #init: SpamTrainerInit
  lastClipStats: ClipStats = { clipped: 0, nonZero: 0, maxAbs: 0 }

  constructor (init: SpamTrainerInit) {
    checkSgdOptions({ ...init, epochs: 1 })
    if (!(init.clip > 0)) throw new InvalidTrainingOptionError(`clip: expected a number > 0, got ${init.clip}`)
    if (init.examples.length === 0) throw new InvalidTrainingOptionError('examples: expected at least one training example')
    this.#init = init
  }

  async train (global: Float64Array, context: TrainingContext): Promise<TrainerUpdate> {
    const { examples, learningRate, seed, organization, clip } = this.#init
    checkSgdOptions({ ...this.#init, epochs: context.epochs })
    const local = Float64Array.from(global)
    for (let epoch = 0; epoch < context.epochs; epoch++) {
      context.signal?.throwIfAborted()
      const order = permutation(examples.length, streamSeed(`seed ${seed}`, `org ${organization}`, `round ${context.round}`, `epoch ${epoch}`))
      sgdEpoch(local, examples, order, learningRate)
    }
    const update = local.map((value, i) => value - (global[i] as number))
    const stats: ClipStats = { clipped: 0, nonZero: 0, maxAbs: 0 }
    for (const delta of update) {
      if (delta === 0) continue
      stats.nonZero++
      stats.maxAbs = Math.max(stats.maxAbs, Math.abs(delta))
      if (Math.abs(delta) > clip) stats.clipped++
    }
    this.lastClipStats = stats
    return { update, weight: examples.length }
  }
}

/**
 * The centralized baseline: the same model and SGD over the union of the
 * shards for the same total passes (rounds × epochs), epoch e shuffled with
 * FNV-1a("seed <seed>/centralized/epoch <e>"), starting from `initial`.
 */
export function trainCentralized (examples: readonly Example[], options: SgdOptions, initial: Float64Array, onEpoch?: (epoch: number, parameters: Float64Array) => void): Float64Array {
  checkSgdOptions(options)
  const parameters = Float64Array.from(initial)
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    sgdEpoch(parameters, examples, permutation(examples.length, streamSeed(`seed ${options.seed}`, 'centralized', `epoch ${epoch}`)), options.learningRate)
    onEpoch?.(epoch, parameters)
  }
  return parameters
}

const featureCache = new Map<string, SparseFeatures>()

/** Each email's features, computed once per process (featurizing the whole corpus takes about a second). */
export function toExamples (emails: readonly Email[]): Example[] {
  return emails.map(email => {
    let features = featureCache.get(email.key)
    if (features === undefined) {
      features = featurize(email.text)
      featureCache.set(email.key, features)
    }
    return { features, label: email.label }
  })
}

function checkSgdOptions (options: SgdOptions): void {
  if (!Number.isInteger(options.epochs) || options.epochs < 1) throw new InvalidTrainingOptionError(`epochs: expected a positive integer, got ${options.epochs}`)
  if (!(options.learningRate > 0) || !Number.isFinite(options.learningRate)) throw new InvalidTrainingOptionError(`learningRate: expected a finite number > 0, got ${options.learningRate}`)
  if (!Number.isInteger(options.seed) || options.seed < 0 || options.seed >= 2 ** 32) throw new InvalidTrainingOptionError(`seed: expected an integer in [0, 2^32), got ${options.seed}`)
}
