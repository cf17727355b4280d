// The coordinator's round results: recorded together with the round's final status, at most once per round.
import { InvalidStoreInputError, RoundAlreadyDecryptedError, UnknownResultError } from './errors.ts'
import { requireBytes } from './input.ts'
import type { StoredBytes } from './input.ts'
import { Transactor } from './transaction.ts'
import { isRoundOutcome } from '../../protocol/round/index.ts'
import type { RoundOutcome, RoundStatus } from '../../protocol/round/index.ts'
import type { RoundStore } from './rounds.ts'
import type { DatabaseSync, StatementSync } from 'node:sqlite'

export interface RecordResultOptions {
  /** @default 'decrypted' */
  status?: RoundOutcome
  /** Why the round failed or is corrupt, for operators. */
  reason?: string
  /** Runs inside the recording transaction after the result is stored; a throw rolls the result back. */
  alongside?: () => void
}

export interface ResultRecord {
  roundId: string
  status: RoundStatus
  /** The result protobuf exactly as the coordinator built it; kept opaque. */
  resultMessage: StoredBytes
  recordedAtMs: number
  publishedAtMs: number | undefined
}

interface ResultRow { round_id: string, status: string, result: StoredBytes, recorded_at_ms: number, published_at_ms: number | null }

const RESULT_COLUMNS = `results.round_id, rounds.status, results.result, results.recorded_at_ms, results.published_at_ms
  FROM results JOIN rounds USING (round_id)`

export class ResultStore {
  readonly #tx: Transactor
  readonly #rounds: RoundStore
  readonly #now: () => number
  readonly #insert: StatementSync
  readonly #select: StatementSync
  readonly #markPublished: StatementSync
  readonly #selectUnpublished: StatementSync

  constructor (db: DatabaseSync, rounds: RoundStore, now: () => number = Date.now) {
    this.#tx = new Transactor(db)
    this.#rounds = rounds
    this.#now = now
    this.#insert = db.prepare('INSERT INTO results (round_id, result, recorded_at_ms) VALUES (?, ?, ?)')
    this.#select = db.prepare(`SELECT ${RESULT_COLUMNS} WHERE results.round_id = ?`)
    this.#markPublished = db.prepare('UPDATE results SET published_at_ms = ? WHERE round_id = ? AND published_at_ms IS NULL')
    this.#selectUnpublished = db.prepare(`SELECT ${RESULT_COLUMNS} WHERE results.published_at_ms IS NULL
      ORDER BY results.recorded_at_ms, results.round_id`)
  }

  /**
   * Stores the result and moves the round to its final status in ONE
   * transaction. A second record for the same round throws
   * RoundAlreadyDecryptedError: the coordinator checks-and-records here,
   * so a round is never decrypted (and published) twice, even across a
   * crash between decrypting and publishing.
   */
  record (roundId: string, resultMessage: Uint8Array, options: RecordResultOptions = {}): ResultRecord {
    const status = options.status ?? 'decrypted'
    if (!isRoundOutcome(status)) {
      throw new InvalidStoreInputError(`result status: expected "decrypted", "failed" or "corrupt", got ${JSON.stringify(status)}`)
    }
    requireBytes('result message', resultMessage)
    return this.#tx.run(() => {
      if (this.get(roundId) !== undefined) throw new RoundAlreadyDecryptedError(roundId)
      this.#rounds.setStatus(roundId, status, options.reason)
      this.#insert.run(roundId, resultMessage, this.#now())
      options.alongside?.()
      return this.get(roundId) as ResultRecord
    })
  }

  get (roundId: string): ResultRecord | undefined {
    const row = this.#select.get(roundId) as ResultRow | undefined
    return row === undefined ? undefined : toRecord(row)
  }

  /** Marks a result as published; idempotent, the first publication time is kept. */
  markPublished (roundId: string): void {
    this.#tx.run(() => {
      const { changes } = this.#markPublished.run(this.#now(), roundId)
      if (changes === 0 && this.get(roundId) === undefined) {
        throw new UnknownResultError(`round ${JSON.stringify(roundId)}: expected a recorded result to mark published, got none`)
      }
    })
  }

  /** Results recorded but not yet published, oldest first: what a restarted coordinator publishes again. */
  unpublished (): ResultRecord[] {
    return (this.#selectUnpublished.all() as unknown as ResultRow[]).map(toRecord)
  }
}

function toRecord (row: ResultRow): ResultRecord {
  return {
    roundId: row.round_id,
    status: row.status as RoundStatus,
    resultMessage: row.result,
    recordedAtMs: row.recorded_at_ms,
    publishedAtMs: row.published_at_ms ?? undefined
  }
}
