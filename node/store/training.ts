// Training sessions in node.db: models by hash, the coordinator's session checkpoints, and the models each round trains from.
import { InvalidStoreInputError, TrainingRoundConflictError } from './errors.ts'
import { bytesEqual, requireBytes, requireCount, requireId } from './input.ts'
import type { StoredBytes } from './input.ts'
import { Transactor } from './transaction.ts'
import type { DatabaseSync, StatementSync } from 'node:sqlite'

export interface StoredSession {
  sessionId: string
  /** The session's state as its owner serialized it (JSON); opaque here. */
  state: string
  modelHash: string
  createdAtMs: number
  updatedAtMs: number
}

export interface TrainingRoundInput {
  sessionId: string
  round: number
  /** The fedagg round taking updates from this model; undefined for a session's final model. */
  roundId?: string
  modelHash: string
  /** The signed SessionModel; opaque here. */
  signedModel: Uint8Array
}

export interface StoredTrainingRound {
  sessionId: string
  round: number
  roundId: string | undefined
  modelHash: string
  signedModel: StoredBytes
  /** The round's outcome as the coordinator recorded it (JSON), once decided. */
  outcome: string | undefined
  savedAtMs: number
}

interface SessionRow { session_id: string, state: string, model_hash: string, created_at_ms: number, updated_at_ms: number }
interface RoundRow { session_id: string, round: number, round_id: string | null, model_hash: string, signed_model: StoredBytes, outcome: string | null, saved_at_ms: number }

const ROUND_COLUMNS = 'session_id, round, round_id, model_hash, signed_model, outcome, saved_at_ms'

export class TrainingStore {
  readonly #tx: Transactor
  readonly #now: () => number
  readonly #insertModel: StatementSync
  readonly #selectModel: StatementSync
  readonly #insertSession: StatementSync
  readonly #updateSession: StatementSync
  readonly #selectSession: StatementSync
  readonly #selectSessions: StatementSync
  readonly #insertRound: StatementSync
  readonly #selectRound: StatementSync
  readonly #selectRoundById: StatementSync
  readonly #selectRounds: StatementSync
  readonly #selectLatest: StatementSync
  readonly #selectLatestOfSession: StatementSync
  readonly #updateOutcome: StatementSync

  constructor (db: DatabaseSync, now: () => number = Date.now) {
    this.#tx = new Transactor(db)
    this.#now = now
    this.#insertModel = db.prepare('INSERT INTO training_models (model_hash, parameters, saved_at_ms) VALUES (?, ?, ?) ON CONFLICT (model_hash) DO NOTHING')
    this.#selectModel = db.prepare('SELECT parameters FROM training_models WHERE model_hash = ?')
    this.#insertSession = db.prepare(`INSERT INTO training_sessions (session_id, state, model_hash, created_at_ms, updated_at_ms)
      VALUES (?, ?, ?, ?, ?)`)
    this.#updateSession = db.prepare('UPDATE training_sessions SET state = ?, model_hash = ?, updated_at_ms = ? WHERE session_id = ?')
    this.#selectSession = db.prepare('SELECT * FROM training_sessions WHERE session_id = ?')
    this.#selectSessions = db.prepare('SELECT * FROM training_sessions ORDER BY created_at_ms DESC, session_id')
    this.#insertRound = db.prepare(`INSERT INTO training_rounds (session_id, round, round_id, model_hash, signed_model, saved_at_ms)
      VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (session_id, round) DO NOTHING`)
    this.#selectRound = db.prepare(`SELECT ${ROUND_COLUMNS} FROM training_rounds WHERE session_id = ? AND round = ?`)
    this.#selectRoundById = db.prepare(`SELECT ${ROUND_COLUMNS} FROM training_rounds WHERE round_id = ?`)
    this.#selectRounds = db.prepare(`SELECT ${ROUND_COLUMNS} FROM training_rounds WHERE session_id = ? ORDER BY round`)
    this.#selectLatest = db.prepare(`SELECT ${ROUND_COLUMNS} FROM training_rounds ORDER BY saved_at_ms DESC, rowid DESC LIMIT 1`)
    this.#selectLatestOfSession = db.prepare(`SELECT ${ROUND_COLUMNS} FROM training_rounds WHERE session_id = ? ORDER BY round DESC LIMIT 1`)
    this.#updateOutcome = db.prepare('UPDATE training_rounds SET outcome = ? WHERE session_id = ? AND round = ? AND outcome IS NULL')
  }

  /** Stores parameters under their hash; storing the same model twice is a no-op. */
  saveModel (modelHash: string, parameters: Uint8Array): void {
    requireId('model hash', modelHash)
    requireBytes('parameters', parameters)
    this.#insertModel.run(modelHash, parameters, this.#now())
  }

  model (modelHash: string): StoredBytes | undefined {
    const row = this.#selectModel.get(modelHash) as { parameters: StoredBytes } | undefined
    return row?.parameters
  }

  /** A new session with its initial model, in one transaction. */
  createSession (sessionId: string, state: string, modelHash: string, parameters: Uint8Array): StoredSession {
    requireId('session id', sessionId)
    return this.#tx.run(() => {
      this.saveModel(modelHash, parameters)
      const now = this.#now()
      this.#insertSession.run(sessionId, state, modelHash, now, now)
      return this.session(sessionId) as StoredSession
    })
  }

  /**
   * The checkpoint: the session's new state and current model, and the finished round's outcome,
   * written together. Called inside the coordinator's result transaction, which it joins.
   */
  checkpoint (sessionId: string, state: string, modelHash: string, parameters: Uint8Array, finished: { round: number, outcome: string }): void {
    this.#tx.run(() => {
      this.saveModel(modelHash, parameters)
      const { changes } = this.#updateSession.run(state, modelHash, this.#now(), sessionId)
      if (changes === 0) throw new InvalidStoreInputError(`session ${JSON.stringify(sessionId)}: expected a stored session to checkpoint, got none`)
      const updated = this.#updateOutcome.run(finished.outcome, sessionId, finished.round)
      if (updated.changes === 0) {
        throw new TrainingRoundConflictError(`session ${sessionId} round ${finished.round}: expected a published round without an outcome, got none or one already decided`)
      }
    })
  }

  session (sessionId: string): StoredSession | undefined {
    const row = this.#selectSession.get(sessionId) as SessionRow | undefined
    return row === undefined ? undefined : toSession(row)
  }

  /** Sessions this node coordinates, newest first. */
  sessions (): StoredSession[] {
    return (this.#selectSessions.all() as unknown as SessionRow[]).map(toSession)
  }

  /**
   * Remembers the signed model of one round (or the final model) with its parameters. Idempotent
   * for the same signed bytes; another model under the same (session, round) is refused.
   */
  saveRound (input: TrainingRoundInput, parameters: Uint8Array): StoredTrainingRound {
    requireId('session id', input.sessionId)
    requireCount('round', input.round)
    requireBytes('signed model', input.signedModel)
    return this.#tx.run(() => {
      this.saveModel(input.modelHash, parameters)
      this.#insertRound.run(input.sessionId, input.round, input.roundId ?? null, input.modelHash, input.signedModel, this.#now())
      const stored = this.round(input.sessionId, input.round) as StoredTrainingRound
      if (!bytesEqual(stored.signedModel, input.signedModel)) {
        throw new TrainingRoundConflictError(`session ${input.sessionId} round ${input.round}: another model is already stored`)
      }
      return stored
    })
  }

  round (sessionId: string, round: number): StoredTrainingRound | undefined {
    const row = this.#selectRound.get(sessionId, round) as RoundRow | undefined
    return row === undefined ? undefined : toRound(row)
  }

  roundById (roundId: string): StoredTrainingRound | undefined {
    const row = this.#selectRoundById.get(roundId) as RoundRow | undefined
    return row === undefined ? undefined : toRound(row)
  }

  rounds (sessionId: string): StoredTrainingRound[] {
    return (this.#selectRounds.all(sessionId) as unknown as RoundRow[]).map(toRound)
  }

  /** The newest model of `sessionId`, or the newest stored model of any session. */
  latest (sessionId?: string): StoredTrainingRound | undefined {
    const row = (sessionId === undefined ? this.#selectLatest.get() : this.#selectLatestOfSession.get(sessionId)) as RoundRow | undefined
    return row === undefined ? undefined : toRound(row)
  }
}

function toSession (row: SessionRow): StoredSession {
  return { sessionId: row.session_id, state: row.state, modelHash: row.model_hash, createdAtMs: row.created_at_ms, updatedAtMs: row.updated_at_ms }
}

function toRound (row: RoundRow): StoredTrainingRound {
  return {
    sessionId: row.session_id,
    round: row.round,
    roundId: row.round_id ?? undefined,
    modelHash: row.model_hash,
    signedModel: row.signed_model,
    outcome: row.outcome ?? undefined,
    savedAtMs: row.saved_at_ms
  }
}
