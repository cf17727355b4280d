// The aggregator's accepted submissions: one per (round, client), numbered in acceptance order, with their receipts.
//
// Crash-safe receipt protocol. A receipt is signed over {round, client,
// digest, index}, and the index only exists once the submission is
// committed; libp2p's Ed25519 signing is async, and an SQLite transaction
// must not span an await. So acceptance takes two steps:
//   1. insert()        commits the submission and its index (one transaction);
//   2. attachReceipt() stores the receipt the caller signed afterwards.
// The submission counts toward the aggregate from step 1 on, whether or not
// a receipt ever went out. The caller sends a receipt only after step 2,
// so "acknowledged" implies "committed", and a committed submission is
// folded in exactly once (the (round, client) key refuses a second row).
// A crash between 1 and 2 leaves a row without receipt; the client resends,
// insert() answers 'duplicate' with receipt undefined, and the caller signs
// the same fields again (Ed25519 is deterministic, so the bytes match) and
// attaches them. attachReceipt() keeps the first receipt stored.
import { SubmissionReplayedStoreError, UnknownSubmissionError, roundClosedInStore, submissionConflictInStore, unknownStoredRound } from './errors.ts'
import { bytesEqual, requireBytes, requireCount, requireId } from './input.ts'
import type { StoredBytes } from './input.ts'
import { Transactor } from './transaction.ts'
import type { DatabaseSync, StatementSync } from 'node:sqlite'

export interface SubmissionInput {
  roundId: string
  /** The client's peer ID as a string (Noise-authenticated sender). */
  client: string
  /** Digest of the submitted ciphertexts; identical resends are recognised by it. */
  digest: Uint8Array
  /** The validated ciphertexts, fixed-width big-endian, concatenated. */
  ciphertexts: Uint8Array
  /** The client's signed SubmissionStatement, listed in the transcript. */
  statement: Uint8Array
  acceptedAtMs: number
}

export type SubmissionInsertResult =
  | { kind: 'inserted', index: number }
  /** Same (round, client, digest) seen before; receipt is undefined if a crash came before attachReceipt. */
  | { kind: 'duplicate', index: number, receipt: StoredBytes | undefined }

/** What identifies a stored submission: who sent it, its acceptance index and its digest. */
export interface SubmissionSummary {
  client: string
  index: number
  digest: StoredBytes
}

export interface SubmissionMeta extends SubmissionSummary {
  receipt: StoredBytes | undefined
  acceptedAtMs: number
}

export interface StoredSubmission extends SubmissionSummary {
  ciphertexts: StoredBytes
  statement: StoredBytes
  acceptedAtMs: number
}

interface MetaRow { client: string, idx: number, digest: StoredBytes, receipt: StoredBytes | null, accepted_at_ms: number }

export class SubmissionStore {
  readonly #tx: Transactor
  readonly #selectMeta: StatementSync
  readonly #selectRoundStatus: StatementSync
  readonly #selectOtherRoundWithDigest: StatementSync
  readonly #selectNextIndex: StatementSync
  readonly #insert: StatementSync
  readonly #attachReceipt: StatementSync
  readonly #selectAt: StatementSync
  readonly #count: StatementSync

  constructor (db: DatabaseSync) {
    this.#tx = new Transactor(db)
    this.#selectMeta = db.prepare(`SELECT client, idx, digest, receipt, accepted_at_ms FROM submissions
      WHERE round_id = ? AND client = ?`)
    this.#selectRoundStatus = db.prepare('SELECT status FROM rounds WHERE round_id = ?')
    this.#selectOtherRoundWithDigest = db.prepare('SELECT round_id FROM submissions WHERE digest = ? AND round_id <> ? LIMIT 1')
    // Served by the UNIQUE (round_id, idx) index: one seek, not a scan.
    this.#selectNextIndex = db.prepare('SELECT coalesce(max(idx) + 1, 0) AS next FROM submissions WHERE round_id = ?')
    this.#insert = db.prepare(`INSERT INTO submissions (round_id, client, idx, digest, ciphertexts, statement, accepted_at_ms)
      VALUES (?, ?, ?, ?, ?, ?, ?)`)
    this.#attachReceipt = db.prepare('UPDATE submissions SET receipt = ? WHERE round_id = ? AND client = ? AND receipt IS NULL')
    this.#selectAt = db.prepare('SELECT client, idx, digest, ciphertexts, statement, accepted_at_ms FROM submissions WHERE round_id = ? AND idx = ?')
    this.#count = db.prepare('SELECT count(*) AS n FROM submissions WHERE round_id = ?')
  }

  /**
   * Commits a submission and its 0-based acceptance index in one write
   * transaction (BEGIN IMMEDIATE holds the write lock, so max(idx) + 1
   * cannot race another writer). Order of checks: an identical resend is
   * answered even after the round closed, because the client may only be
   * missing its receipt; new content needs an open round.
   */
  insert (input: SubmissionInput): SubmissionInsertResult {
    requireId('round id', input.roundId)
    requireId('client', input.client)
    requireBytes('digest', input.digest)
    requireBytes('ciphertexts', input.ciphertexts)
    requireBytes('statement', input.statement)
    requireCount('acceptedAtMs', input.acceptedAtMs)
    return this.#tx.run(() => {
      const existing = this.#selectMeta.get(input.roundId, input.client) as MetaRow | undefined
      if (existing !== undefined) {
        if (!bytesEqual(existing.digest, input.digest)) throw submissionConflictInStore(input.roundId, input.client)
        return { kind: 'duplicate', index: existing.idx, receipt: existing.receipt ?? undefined }
      }
      const replayed = this.#selectOtherRoundWithDigest.get(input.digest, input.roundId) as { round_id: string } | undefined
      if (replayed !== undefined) throw new SubmissionReplayedStoreError(input.roundId, replayed.round_id)
      const round = this.#selectRoundStatus.get(input.roundId) as { status: string } | undefined
      if (round === undefined) throw unknownStoredRound(input.roundId)
      if (round.status !== 'open') throw roundClosedInStore(input.roundId, round.status)
      const { next } = this.#selectNextIndex.get(input.roundId) as { next: number }
      this.#insert.run(input.roundId, input.client, next, input.digest, input.ciphertexts, input.statement, input.acceptedAtMs)
      return { kind: 'inserted', index: next }
    })
  }

  /**
   * Stores the signed receipt for a committed submission and returns the
   * receipt now on record: the first one attached wins, so a second
   * signer racing the first cannot make two different receipts exist.
   */
  attachReceipt (roundId: string, client: string, receipt: Uint8Array): StoredBytes {
    requireBytes('receipt', receipt)
    return this.#tx.run(() => {
      this.#attachReceipt.run(receipt, roundId, client)
      const stored = this.get(roundId, client)
      if (stored === undefined) {
        throw new UnknownSubmissionError(`submission (${JSON.stringify(roundId)}, ${client}): expected a committed submission to attach a receipt to, got none`)
      }
      return stored.receipt as StoredBytes
    })
  }

  /** Metadata of one submission (no ciphertexts), e.g. to answer a resend before reading its stream. */
  get (roundId: string, client: string): SubmissionMeta | undefined {
    const row = this.#selectMeta.get(roundId, client) as MetaRow | undefined
    if (row === undefined) return undefined
    return { client: row.client, index: row.idx, digest: row.digest, receipt: row.receipt ?? undefined, acceptedAtMs: row.accepted_at_ms }
  }

  /**
   * Yields the round's submissions in index order, one row in memory at a
   * time, so a restarted aggregator can refold its running aggregate.
   *
   * Keyset paging (idx = i, then i + 1 …) through one prepared get()
   * rather than stmt.iterate(): node:sqlite invalidates a statement's live
   * iterator as soon as the same statement is iterated again, so two
   * rounds rebuilt concurrently (with awaits between rows) would break
   * each other; and a long-open cursor would pin a read snapshot that stops
   * WAL checkpoints. Indices are contiguous from 0 (assigned as max + 1 in
   * the insert transaction, never deleted), so the walk stops at the first
   * gap, which is the end. Rows committed during the walk are included.
   */
  * forRound (roundId: string): Generator<StoredSubmission, void, undefined> {
    for (let index = 0; ; index++) {
      const row = this.#selectAt.get(roundId, index) as { client: string, idx: number, digest: StoredBytes, ciphertexts: StoredBytes, statement: StoredBytes | null, accepted_at_ms: number } | undefined
      if (row === undefined) return
      // Rows from before statements existed carry none; an empty one fails the coordinator's check.
      yield { client: row.client, index: row.idx, digest: row.digest, ciphertexts: row.ciphertexts, statement: row.statement ?? new Uint8Array(0), acceptedAtMs: row.accepted_at_ms }
    }
  }

  count (roundId: string): number {
    return (this.#count.get(roundId) as { n: number }).n
  }
}
