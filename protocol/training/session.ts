// A training session's state machine: plain data, advanced once per round by the round's outcome (FedAvg step).
import { IllegalSessionTransitionError, InvalidModelError } from './errors.ts'
import { modelHash, requireFinite } from './model.ts'
import type { SessionSettings } from './settings.ts'

/** running: rounds left; completed: R rounds done; converged: stopped early by the tolerance rule. */
export type SessionStatus = 'running' | 'completed' | 'converged'

export const SESSION_STATUSES: readonly SessionStatus[] = ['running', 'completed', 'converged']

export interface SessionState {
  sessionId: string
  settings: SessionSettings
  parameterCount: number
  /** Index (0-based) of the round that trains from the current model; also the number of rounds done. */
  round: number
  status: SessionStatus
  /** Hash of the current global model (modelHash). */
  modelHash: string
}

/** What a round gave the coordinator: a decrypted weighted mean of updates, or nothing usable. */
export type RoundOutcome =
  | { status: 'decrypted', contributors: readonly string[], weightedMean: ArrayLike<number>, weightSum: number }
  | { status: 'failed' | 'corrupt', contributors: readonly string[], reason: string }

/** One round as the session remembers it: who contributed and what it did to the model. */
export interface SessionRoundRecord {
  round: number
  status: RoundOutcome['status']
  /** Peer IDs the aggregator's transcript lists (empty when the round failed before release). */
  contributors: string[]
  /** Σ wₖ over the contributors; decrypted rounds only. */
  weightSum?: number
  /** ‖next − global‖₂; decrypted rounds only. */
  updateNorm?: number
  reason?: string
  modelBefore: string
  modelAfter: string
}

export interface SessionStep {
  state: SessionState
  model: Float64Array
  record: SessionRoundRecord
}

export function startSession (sessionId: string, settings: SessionSettings, initialModel: Float64Array): SessionState {
  if (initialModel.length === 0) throw new InvalidModelError('initial model: expected at least one parameter, got none')
  requireFinite(initialModel)
  return { sessionId, settings, parameterCount: initialModel.length, round: 0, status: 'running', modelHash: modelHash(initialModel) }
}

/**
 * Applies round `round`'s outcome to the global model `model` (FedAvg):
 *   next = global + Σ wₖ·Δₖ / Σ wₖ
 * where the weighted mean Σ wₖ·Δₖ / Σ wₖ is what the coordinator decoded from
 * the decrypted weighted sum and weight slot. A failed or corrupt round leaves
 * the model as it was but still uses up one of the R rounds, so a session
 * always ends. The session stops after R rounds, or earlier when the step
 * ‖next − global‖₂ falls below a positive tolerance.
 */
export function applyRoundOutcome (state: SessionState, model: Float64Array, round: number, outcome: RoundOutcome): SessionStep {
  if (state.status !== 'running') {
    throw new IllegalSessionTransitionError(`session ${state.sessionId}: expected a running session, got ${state.status}`)
  }
  if (round !== state.round) {
    throw new IllegalSessionTransitionError(`session ${state.sessionId}: expected the outcome of round ${state.round}, got round ${round}`)
  }
  if (model.length !== state.parameterCount) {
    throw new InvalidModelError(`session ${state.sessionId}: expected ${state.parameterCount} parameters, got ${model.length}`)
  }
  const done = round + 1 >= state.settings.rounds
  const before = state.modelHash
  if (outcome.status !== 'decrypted') {
    const next: SessionState = { ...state, round: round + 1, status: done ? 'completed' : 'running' }
    return {
      state: next,
      model,
      record: { round, status: outcome.status, contributors: [...outcome.contributors], reason: outcome.reason, modelBefore: before, modelAfter: before }
    }
  }
  if (outcome.weightedMean.length !== state.parameterCount) {
    throw new InvalidModelError(`round ${round}: expected a mean of ${state.parameterCount} values, got ${outcome.weightedMean.length}`)
  }
  const nextModel = new Float64Array(model.length)
  let squares = 0
  for (let i = 0; i < model.length; i++) {
    const step = outcome.weightedMean[i] as number
    nextModel[i] = (model[i] as number) + step
    squares += step * step
  }
  requireFinite(nextModel)
  const updateNorm = Math.sqrt(squares)
  const converged = state.settings.tolerance > 0 && updateNorm < state.settings.tolerance
  const hash = modelHash(nextModel)
  const status: SessionStatus = done ? 'completed' : converged ? 'converged' : 'running'
  return {
    state: { ...state, round: round + 1, status, modelHash: hash },
    model: nextModel,
    record: {
      round,
      status: 'decrypted',
      contributors: [...outcome.contributors],
      weightSum: outcome.weightSum,
      updateNorm,
      modelBefore: before,
      modelAfter: hash
    }
  }
}
