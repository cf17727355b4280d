// The trainer provider contract: whatever turns the global model and an organization's own data into its update.

export interface TrainingContext {
  sessionId: string
  /** The round being trained for, from 1. */
  round: number
  signal?: AbortSignal
}

export interface TrainingUpdate {
  /** local − global, each value within the session's clip bound. */
  update: Float64Array
  /** The number of local samples the update was computed from: FedAvg's weight. */
  weight: number
}

/**
 * A client's local training step. The session submits `update` encrypted
 * with `weight`, and the coordinator forms global + Σ w·update / Σ w.
 */
export interface Trainer {
  train (global: Float64Array, context: TrainingContext): Promise<TrainingUpdate>
}
