// The TypeScript trainer provider and the loop that drives it: fetch the global model, train, submit the update, repeat.
import type { ModelView, TrainingApi } from '../api.ts'
import { SessionNotFoundError } from './errors.ts'

export interface TrainingContext {
  sessionId: string
  /** Index of the round this update is for. */
  round: number
  /** Local epochs E the session asks for. */
  epochs: number
  /** Aborts when the trainer loop stops. */
  signal: AbortSignal
}

export interface TrainerUpdate {
  /** The model delta, local − global. The node clips each value to the session's clip bound. */
  update: Float64Array
  /** The local sample count: an integer >= 1. */
  weight: number
}

/**
 * Whatever computes a client's update from the global model and its own data. The coordinator
 * forms next = global + Σ wₖ·Δₖ / Σ wₖ from the updates of one round.
 */
export interface Trainer {
  train (global: Float64Array, context: TrainingContext): Promise<TrainerUpdate>
}

export interface RunTrainerOptions {
  /** The session to train in; the newest one this node knows when omitted. */
  sessionId?: string
  signal?: AbortSignal
  /** Called after each submitted update, e.g. for progress output. */
  onSubmitted?: (round: number) => void
  /** Called when a round's update could not be delivered; the loop goes on with the next model. */
  onSkipped?: (round: number, err: Error) => void
}

/**
 * Refusals that only mean this client is left out of one round: the round closed or moved on
 * before the update arrived. The next model is still worth training on.
 */
const ROUND_MISSED = new Set(['StaleRoundError', 'SubmissionDeadlineError', 'NoOpenRoundError', 'SubmissionRefusedError'])

/** Trains every round of a session until its final model, which it returns. */
export async function runTrainer (training: TrainingApi, trainer: Trainer, options: RunTrainerOptions = {}): Promise<ModelView> {
  const signal = options.signal ?? new AbortController().signal
  let model = await training.currentModel(options.sessionId).catch(async (err: Error) => {
    if (err.name !== SessionNotFoundError.name) throw err
    return training.waitForModel(options.sessionId, -1, { signal })
  })
  while (!model.final) {
    const { sessionId, round } = model
    const { update, weight } = await trainer.train(model.parameters, { sessionId, round, epochs: model.epochs, signal })
    try {
      await training.submitUpdate(sessionId, round, update, weight, { signal })
      options.onSubmitted?.(round)
    } catch (err) {
      if (!(err instanceof Error) || !ROUND_MISSED.has(err.name)) throw err
      options.onSkipped?.(round, err)
    }
    model = await training.waitForModel(sessionId, round, { signal })
  }
  return model
}
