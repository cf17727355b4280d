// `fedagg demo spam`: federated logistic regression on the SpamAssassin corpus over a loopback federation, beside a centralized baseline.
import { FedaggError } from '../../protocol/errors.ts'
import { bitLength } from '../../protocol/paillier/index.ts'
import { loadSpamCorpus, sampleSpamCorpus } from '../training/spam/corpus.ts'
import { PARAMETER_COUNT, evaluate, initialParameters } from '../training/spam/model.ts'
import type { Evaluation, Example } from '../training/spam/model.ts'
import { splitCorpus } from '../training/spam/split.ts'
import type { SplitKind } from '../training/spam/split.ts'
import { SpamTrainer, toExamples, trainCentralized } from '../training/spam/trainer.ts'
import type { TrainerUpdate } from '../training/trainer.ts'
import type { ModelView } from '../api.ts'
import { withLocalFederation } from './launcher.ts'
import type { LocalFederation, LocalPhase } from './launcher.ts'
import { startPythonTrainers } from './python-trainers.ts'
import { startRoundMeter } from './round-meter.ts'
import type { RoundPhases } from './round-meter.ts'

/** Defaults, chosen and measured in docs/spam-demo.md. */
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
/** A published model reaching a node over loopback. */
const SYNC_SECONDS = 60

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
  /** The last this many organizations train with clients/python/examples/spam_trainer.py instead of in TypeScript. @default 0 */
  pythonTrainers?: number
  /** @default 'python3' */
  python?: string
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

  const pythonTrainers = options.pythonTrainers ?? 0
  if (!Number.isInteger(pythonTrainers) || pythonTrainers < 0 || pythonTrainers > settings.clients) {
    throw new SpamDemoError(`pythonTrainers: expected an integer in [0, ${settings.clients}], got ${pythonTrainers}`)
  }
  const firstPython = settings.clients - pythonTrainers
  // undefined: that organization's trainer is a Python process following the session on its own.
  const trainers = shards.map((examples, organization) => organization >= firstPython ? undefined : new SpamTrainer({ ...sgd, organization, examples, clip: settings.clip }))
  const rounds = await withLocalFederation({
    clients: settings.clients,
    // Five clients encrypting 65,537 values each at once on two cores: allow for a loaded machine.
    controlTimeoutMs: ROUND_DEADLINE_SECONDS * 1000,
    ...(options.keyBits === undefined ? {} : { keyBits: options.keyBits }),
    ...(options.onPhase === undefined ? {} : { onPhase: options.onPhase }),
    ...(options.signal === undefined ? {} : { signal: options.signal })
  }, async federation => {
    const { sessionId } = await federation.coordinator.training.startSession({
      parameterCount: PARAMETER_COUNT,
      rounds: settings.rounds,
      epochs: settings.epochs,
      clip: settings.clip,
      fractionBits: settings.fractionBits,
      weightBits: bitLength(BigInt(Math.max(...shards.map(shard => shard.length)))),
      minParticipants: settings.clients,
      roundDeadlineSeconds: ROUND_DEADLINE_SECONDS
    })
    const python = await startPythonTrainers(options.python ?? 'python3', split.shards.slice(firstPython).map((shard, i) => ({
      organization: firstPython + i,
      dataDir: federation.clientDataDirs[firstPython + i] as string,
      shard
    })), sgd)
    let finished = false
    const done: SpamDemoRound[] = []
    try {
      let model = await federation.coordinator.training.waitForModel(sessionId, -1, { signal: within(federation.signal, SYNC_SECONDS) })
      while (!model.final) {
        const { next, record } = await Promise.race([python.failed, sessionRound(federation, trainers, model, { round: done.length + 1, test, onRoundProgress: options.onRoundProgress })])
        model = next
        done.push(record)
        options.onRound?.(record)
      }
      finished = true
      return done
    } catch (err) {
      throw withTransportCause(err, `session round ${done.length + 1}`)
    } finally {
      await python.stop(!finished)
    }
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
  /** 1, 2, … as the demo prints it. */
  round: number
  test: Example[]
  onRoundProgress?: ((round: number, done: number, total: number, step: string) => void) | undefined
}

/**
 * One round of the coordinator's training session: each client daemon hands
 * its trainer the global model, the trainers run their local SGD here (one
 * after another), each daemon encrypts its update and sends it to the
 * aggregator, and the coordinator decrypts the weighted mean Σ w·Δ / Σ w and
 * publishes global + mean as the next round's model.
 */
async function sessionRound (federation: LocalFederation, trainers: Array<SpamTrainer | undefined>, model: ModelView, settings: RoundSettings): Promise<{ next: ModelView, record: SpamDemoRound }> {
  const { signal } = federation
  const { sessionId } = model
  const local = trainers.filter(trainer => trainer !== undefined).length
  const total = 2 * local + 1
  let steps = 0
  const progress = (step: string): void => { settings.onRoundProgress?.(settings.round, ++steps, total, step) }
  settings.onRoundProgress?.(settings.round, 0, total, 'train')
  // Each trainer trains on the model its own node fetched and verified.
  const models = await Promise.all(federation.clients.map(async client => client.training.waitForModel(sessionId, model.round - 1, { signal: within(signal, SYNC_SECONDS) })))
  const trainStarted = performance.now()
  const updates: Array<TrainerUpdate | undefined> = []
  for (const [i, trainer] of trainers.entries()) {
    const own = models[i] as ModelView
    updates.push(await trainer?.train(own.parameters, { sessionId, round: own.round, epochs: own.epochs, signal }))
    if (trainer !== undefined) progress('train')
  }
  const train = (performance.now() - trainStarted) / 1000
  const clipped = trainers.reduce((sum, trainer) => sum + (trainer?.lastClipStats.clipped ?? 0), 0)

  const meter = await startRoundMeter(federation.nodes)
  const started = performance.now()
  await Promise.all(federation.clients.map(async (client, i) => {
    const trained = updates[i]
    if (trained === undefined) return
    await submitWithResend(async () => client.training.submitUpdate(sessionId, model.round, trained.update, trained.weight, { signal }), `client ${i} round ${model.round}`)
    progress('encrypt+send')
  }))
  const next = await federation.coordinator.training.waitForModel(sessionId, model.round, { signal: within(signal, ROUND_DEADLINE_SECONDS) })
  const seconds = (performance.now() - started) / 1000
  progress('decrypt')
  const record = (await federation.coordinator.training.session(sessionId))?.history.find(entry => entry.round === model.round)
  if (record?.status !== 'decrypted' || record.contributors?.length !== trainers.length) {
    throw new SpamDemoError(`session round ${model.round} ended ${record?.status ?? 'unrecorded'} with ${record?.contributors?.length ?? 0} contributors${record?.reason === undefined ? '' : `: ${record.reason}`}`)
  }
  const { phases, bytes } = await meter.finish(seconds)
  return { next, record: { round: settings.round, ...evaluate(next.parameters, settings.test), seconds, phases: { train, ...phases }, bytes, clipped } }
}

/**
 * How often an update is sent again after the HTTP exchange itself failed.
 * fetch() gives up on a response whose headers take over 300 s (undici's
 * headersTimeout), and a submit answers only once the update is encrypted and
 * acknowledged by the aggregator, which can take that long on a small,
 * heavily loaded machine. Resending is safe: the client node stores its
 * ciphertexts before the first send and answers the same update with the
 * same receipt.
 */
const SUBMIT_RESENDS = 3

async function submitWithResend<T> (submit: () => Promise<T>, what: string): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await submit()
    } catch (err) {
      if (!(err instanceof TypeError) || attempt >= SUBMIT_RESENDS) throw withTransportCause(err, what)
    }
  }
}

/** `signal`, also aborted after `seconds`. */
function within (signal: AbortSignal, seconds: number): AbortSignal {
  return AbortSignal.any([signal, AbortSignal.timeout(seconds * 1000)])
}

/** fetch() reports every transport failure as TypeError('fetch failed'), the reason only in its cause: name it. */
function withTransportCause (err: unknown, what: string): unknown {
  if (!(err instanceof TypeError)) return err
  const cause = (err.cause as { message?: unknown } | undefined)?.message
  return new SpamDemoError(`${what}: ${err.message}${typeof cause === 'string' ? `: ${cause}` : ''}`, { cause: err })
}

function definedOnly<T extends object> (values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>
}
