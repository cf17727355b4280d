// Session settings: how many rounds, how updates are encoded, who must take part, and when to stop early.
import { MAX_FRACTION_BITS, MAX_VECTOR_LENGTH, MAX_WEIGHT_BITS } from '../encoding/index.ts'
import type { VectorSpec } from '../encoding/index.ts'
import { InvalidSessionSettingsError } from './errors.ts'

export interface SessionSettings {
  /** Rounds R at most; fewer if the convergence rule stops the session. */
  rounds: number
  /**
   * Clip bound C of each update value (local − global, per parameter). A value
   * beyond ±C is clipped by the encoding before encryption.
   */
  clip: number
  /** Fraction bits f of the fixed:<f> encoding of updates. */
  fractionBits: number
  /** Bits of each client's integer weight (its local sample count): weights up to 2^weightBits − 1. */
  weightBits: number
  /** Local epochs E per round, passed to every trainer. */
  epochs: number
  /** Fewest contributors a round is decrypted with. */
  minParticipants: number
  /** Seconds each round stays open for updates. */
  roundDeadlineSeconds: number
  /** Stop once ‖next − global‖₂ < tolerance after a round; 0 never stops early. */
  tolerance: number
}

/**
 * Defaults and why:
 * - clip 1: an SGD step's per-parameter change over a few epochs stays well below 1 for a model
 *   with inputs scaled to unit range; a larger clip costs slot bits, not accuracy.
 * - fractionBits 24: each update value is quantized to within 2^−25 ≈ 3.0e−8, so the weighted
 *   mean the coordinator decodes is within 2^−25 of the clipped updates' weighted mean (see
 *   protocol/encoding/fixed.ts), far below SGD noise; a 2048-bit key still packs ≥ 45 values a
 *   ciphertext (slot = 26 value + 16 weight + headroom + 1 guard bits).
 * - weightBits 16: sample counts up to 65,535 per client per round.
 * - minParticipants 3: the protocol's quorum floor.
 */
export const DEFAULT_SESSION_SETTINGS: SessionSettings = {
  rounds: 10,
  clip: 1,
  fractionBits: 24,
  weightBits: 16,
  epochs: 1,
  minParticipants: 3,
  roundDeadlineSeconds: 60,
  tolerance: 0
}

/** Largest number of rounds one session may run. */
export const MAX_SESSION_ROUNDS = 100_000

/** Most parameters one model may have: the longest vector a round carries. */
export const MAX_MODEL_PARAMETERS = MAX_VECTOR_LENGTH

/** Fills in defaults and checks every field; throws InvalidSessionSettingsError naming the field. */
export function resolveSessionSettings (input: Partial<SessionSettings> = {}): SessionSettings {
  const settings: SessionSettings = { ...DEFAULT_SESSION_SETTINGS }
  for (const [key, value] of Object.entries(input) as Array<[keyof SessionSettings, number | undefined]>) {
    if (value !== undefined) settings[key] = value
  }
  requireInteger('rounds', settings.rounds, 1, MAX_SESSION_ROUNDS)
  requireFinite('clip', settings.clip, false)
  requireInteger('fractionBits', settings.fractionBits, 0, MAX_FRACTION_BITS)
  if (Math.ceil(settings.clip * 2 ** settings.fractionBits) > Number.MAX_SAFE_INTEGER) {
    throw new InvalidSessionSettingsError(`clip: expected clip·2^fractionBits <= 2^53 − 1, got clip ${settings.clip} with ${settings.fractionBits} fraction bits`)
  }
  requireInteger('weightBits', settings.weightBits, 1, MAX_WEIGHT_BITS)
  requireInteger('epochs', settings.epochs, 1, 1_000_000)
  requireInteger('minParticipants', settings.minParticipants, 1, Number.MAX_SAFE_INTEGER)
  requireFinite('roundDeadlineSeconds', settings.roundDeadlineSeconds, false)
  requireFinite('tolerance', settings.tolerance, true)
  return settings
}

/** Largest distance between a decoded weighted mean value and the weighted mean of the clipped updates: 2^−(f+1). */
export function quantizationBound (settings: Pick<SessionSettings, 'fractionBits'>): number {
  return 2 ** -(settings.fractionBits + 1)
}

function requireInteger (field: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidSessionSettingsError(`${field}: expected an integer in [${min}, ${max}], got ${String(value)}`)
  }
}

function requireFinite (field: string, value: unknown, zeroAllowed: boolean): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!zeroAllowed && value === 0)) {
    throw new InvalidSessionSettingsError(`${field}: expected a finite number ${zeroAllowed ? '>= 0' : '> 0'}, got ${String(value)}`)
  }
}

/** The vector spec of a session's rounds: P update values as fixed:<f> with clip C, weighted by sample count. */
export function sessionVectorSpec (settings: SessionSettings, parameterCount: number, maxParticipants: number): VectorSpec {
  return {
    length: parameterCount,
    encoding: { kind: 'fixed', fractionBits: settings.fractionBits, clip: settings.clip },
    maxParticipants,
    weightBits: settings.weightBits
  }
}
