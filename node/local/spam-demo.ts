// `fedagg demo spam`: federated logistic regression on the SpamAssassin corpus over a loopback federation, beside a centralized baseline.
import { FedaggError } from '../../protocol/errors.ts'
import { bitLength } from '../../protocol/paillier/arith.ts'
import { loadSpamCorpus, sampleSpamCorpus } from '../training/spam/corpus.ts'
import { PARAMETER_COUNT, evaluate, initialParameters } from '../training/spam/model.ts'
import type { Evaluation } from '../training/spam/model.ts'
import { splitCorpus } from '../training/spam/split.ts'
import type { SplitKind } from '../training/spam/split.ts'
import { SpamTrainer, toExamples, trainCentralized } from '../training/spam/trainer.ts'
import type { TrainingUpdate } from '../training/trainer.ts'
import { withLocalFederation } from './launcher.ts'
import type { LocalFederation, LocalPhase } from './launcher.ts'
import { startRoundMeter } from './round-meter.ts'
import type { RoundPhases } from './round-meter.ts'

/** Defaults, chosen and measured in docs/training.md. */
export const SPAM_DEMO_DEFAULTS = {
  rounds: 10,
  epochs: 5,
  learningRate: 1,
  seed: 1,
  clients: 5,
  /** Update values are clipped to [−8, 8]: the largest |local − global| seen on this data is under 6. */
  clip: 8,
  /** Each value is off by at most 2^−17 ≈ 7.6e−6 after quantization. */
  fractionBits: 16
} as const

/** A round closes once every client has submitted; this only bounds a stuck one. */
const ROUND_DEADLINE_SECONDS = 600

export class SpamDemoError extends FedaggError {
  static override name = 'SpamDemoError'
}

export interface SpamDemoOptions {
  rounds?: number
  epochs?: number
  learningRate?: number
  seed?: number
  clients?: number
  split?: SplitKind
  skew?: number
  clip?: number
  fractionBits?: number
  keyBits?: number
  /** Use only this many emails of each class (every k-th in key order): for quick runs and tests. */
  sample?: number
  onPhase?: (phase: LocalPhase | 'data') => void
  /** Progress inside a round: `done` of `total` steps (each client's training, each client's receipt, the result). */
  onRoundProgress?: (round: number, done: number, total: number, step: string) => void
  onRound?: (round: SpamDemoRound) => void
  signal?: AbortSignal
}

export interface SpamDemoRound {
  round: number
  accuracy: number
  f1: number
  /** Wall time of the round's encryption, transfer, aggregation and decryption, excluding training. */
  seconds: number
  phases: RoundPhases & { train: number }
  /** Payload bytes all nodes sent on fedagg streams during the round. */
  bytes: number
  /** Update values the clients clipped to the clip bound, over all clients. */
  clipped: number
}

export interface SpamDemoResult {
  rounds: SpamDemoRound[]
  centralized: Evaluation & { accuracyPerRound: number[] }
  /** Seconds to load the corpus, split it and compute the features. */
  dataSeconds: number
  shards: Array<{ emails: number, spam: number }>
  testEmails: number
}

export async function runSpamDemo (options: SpamDemoOptions = {}): Promise<SpamDemoResult> {
  const settings = { ...SPAM_DEMO_DEFAULTS, ...definedOnly(options) }
  options.onPhase?.('data')
  const dataStarted = performance.now()
  const corpus = options.sample === undefined ? loadSpamCorpus() : sampleSpamCorpus(options.sample)
  const split = splitCorpus(corpus, { organizations: settings.clients, kind: options.split ?? 'iid', ...(options.skew === undefined ? {} : { skew: options.skew }) })
  const test = toExamples(split.test)
  const shards = split.shards.map(toExamples)
  const dataSeconds = (performance.now() - dataStarted) / 1000

  // The baseline trains on the union in key order, so it is the same for every split.
  const union = toExamples(split.shards.flat().sort((a, b) => a.key < b.key ? -1 : 1))
  const accuracyPerRound: number[] = []
  const sgd = { learningRate: settings.learningRate, seed: settings.seed }
  const centralModel = trainCentralized(union, { ...sgd, epochs: settings.rounds * settings.epochs }, initialParameters(), (epoch, parameters) => {
    if ((epoch + 1) % settings.epochs === 0) accuracyPerRound.push(evaluate(parameters, test).accuracy)
  })

  const trainers = shards.map((examples, organization) => new SpamTrainer({ ...sgd, organization, examples, epochs: settings.epochs, clip: settings.clip }))
  const weightBits = bitLength(BigInt(Math.max(...shards.map(shard => shard.length))))
  const rounds = await withLocalFederation({
    clients: settings.clients,
    ...(options.keyBits === undefined ? {} : { keyBits: options.keyBits }),
    ...(options.onPhase === undefined ? {} : { onPhase: options.onPhase }),
    ...(options.signal === undefined ? {} : { signal: options.signal })
  }, async federation => {
    const done: SpamDemoRound[] = []
    let global = initialParameters()
    for (let round = 1; round <= settings.rounds; round++) {
      const { next, record } = await federatedRound(federation, trainers, global, { round, weightBits, ...settings, test, onRoundProgress: options.onRoundProgress })
      global = next
      done.push(record)
      options.onRound?.(record)
    }
    return done
  })
  return {
    rounds,
    centralized: { ...evaluate(centralModel, test), accuracyPerRound },
    dataSeconds,
    shards: split.shards.map(shard => ({ emails: shard.length, spam: shard.filter(email => email.label === 1).length })),
    testEmails: split.test.length
  }
}

interface RoundSettings {
  round: number
  weightBits: number
  clip: number
  fractionBits: number
  test: ReturnType<typeof toExamples>
  onRoundProgress?: ((round: number, done: number, total: number, step: string) => void) | undefined
}

/**
 * One FedAvg round: every organization trains from `global`; the coordinator
 * opens a weighted fixed-point round; each client daemon encrypts its update
 * and sends it to the aggregator; the coordinator decrypts the weighted mean
 * Σ w·update / Σ w, and the next model is global + mean.
 */
async function federatedRound (federation: LocalFederation, trainers: SpamTrainer[], global: Float64Array, settings: RoundSettings): Promise<{ next: Float64Array, record: SpamDemoRound }> {
  const { round, signal } = { ...settings, signal: federation.signal }
  const total = 2 * trainers.length + 1
  let steps = 0
  const progress = (step: string): void => { settings.onRoundProgress?.(round, ++steps, total, step) }
  settings.onRoundProgress?.(round, 0, total, 'train')
  const trainStarted = performance.now()
  const updates: TrainingUpdate[] = []
  for (const trainer of trainers) {
    updates.push(await trainer.train(global, { sessionId: 'spam-demo', round, signal }))
    progress('train')
  }
  const train = (performance.now() - trainStarted) / 1000
  const clipped = trainers.reduce((sum, trainer) => sum + trainer.lastClipStats.clipped, 0)

  const meter = await startRoundMeter(federation.nodes)
  const started = performance.now()
  const opened = await federation.coordinator.openRound({
    length: PARAMETER_COUNT,
    encoding: `fixed:${settings.fractionBits}`,
    clip: settings.clip,
    weightBits: settings.weightBits,
    minParticipants: trainers.length,
    deadlineSeconds: ROUND_DEADLINE_SECONDS
  })
  await Promise.all(federation.clients.map(async (client, i) => {
    const { update, weight } = updates[i] as TrainingUpdate
    await client.submit(Array.from(update), { roundId: opened.roundId, weight })
    progress('encrypt+send')
  }))
  const result = await federation.coordinator.result(opened.roundId, { waitSeconds: ROUND_DEADLINE_SECONDS, signal })
  const seconds = (performance.now() - started) / 1000
  progress('decrypt')
  if (result.status !== 'decrypted' || result.contributors !== trainers.length || result.mean.length !== PARAMETER_COUNT) {
    throw new SpamDemoError(`round ${round} (${opened.roundId}) ended ${result.status} with ${result.contributors} contributors${result.reason === undefined ? '' : `: ${result.reason}`}`)
  }
  const { phases, bytes } = await meter.finish(seconds)
  const next = global.map((value, i) => value + (result.mean[i] as number))
  return { next, record: { round, ...evaluate(next, settings.test), seconds, phases: { train, ...phases }, bytes, clipped } }
}

function definedOnly<T extends object> (values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>
}
