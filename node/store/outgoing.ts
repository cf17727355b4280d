// The client's outgoing submissions: the encrypted bytes of a round's submission, kept until its receipt is saved.
import { requireBytes, requireId } from './input.ts'
import type { StoredBytes } from './input.ts'
import type { ClientReceipt, ReceiptStore } from './receipts.ts'
import { Transactor } from './transaction.ts'
import type { DatabaseSync, StatementSync } from 'node:sqlite'

export interface OutgoingSubmissionInput {
  /** The encoded ciphertexts: exactly the bytes every delivery attempt sends. */
  ciphertexts: Uint8Array
  /** Digest of `ciphertexts`, which the aggregator's receipt must name. */
  digest: Uint8Array
  /** Digest of the plaintexts that were encrypted, to tell a resend of the same values from a changed call. */
  valuesDigest: Uint8Array
  /** The round tag key the ciphertexts' tags derive from, sent to the coordinator before every delivery. */
  tagKey: Uint8Array
}

export interface OutgoingSubmission {
  roundId: string
  ciphertexts: StoredBytes
  digest: StoredBytes
  valuesDigest: StoredBytes
  tagKey: StoredBytes
  savedAtMs: number
}

interface OutgoingRow { round_id: string, ciphertexts: StoredBytes, digest: StoredBytes, values_digest: StoredBytes, tag_key: StoredBytes | null, saved_at_ms: number }

/**
 * Encryption is randomized, so re-encrypting the same values gives a new
 * digest, which the aggregator refuses once it has committed the first one.
 * Keeping the bytes before the first send lets a client that crashed before
 * its receipt arrived resend them and get the original receipt back.
 */
export class OutgoingSubmissionStore {
  readonly #tx: Transactor
  readonly #receipts: ReceiptStore
  readonly #now: () => number
  readonly #insert: StatementSync
  readonly #select: StatementSync
  readonly #delete: StatementSync

  constructor (db: DatabaseSync, receipts: ReceiptStore, now: () => number = Date.now) {
    this.#tx = new Transactor(db)
    this.#receipts = receipts
    this.#now = now
    this.#insert = db.prepare(`INSERT INTO client_submissions (round_id, ciphertexts, digest, values_digest, tag_key, saved_at_ms)
      VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (round_id) DO NOTHING`)
    this.#select = db.prepare('SELECT round_id, ciphertexts, digest, values_digest, tag_key, saved_at_ms FROM client_submissions WHERE round_id = ?')
    this.#delete = db.prepare('DELETE FROM client_submissions WHERE round_id = ?')
  }

  /**
   * Keeps the submission unless the round already has one, and returns
   * the one stored. The first kept wins: a second submit() for the round
   * that encrypted while the first was in flight then sends the first
   * one's bytes instead of a conflicting digest.
   */
  keep (roundId: string, submission: OutgoingSubmissionInput): OutgoingSubmission {
    requireId('round id', roundId)
    requireBytes('ciphertexts', submission.ciphertexts)
    requireBytes('digest', submission.digest)
    requireBytes('values digest', submission.valuesDigest)
    requireBytes('tag key', submission.tagKey)
    return this.#tx.run(() => {
      this.#insert.run(roundId, submission.ciphertexts, submission.digest, submission.valuesDigest, submission.tagKey, this.#now())
      return this.get(roundId) as OutgoingSubmission
    })
  }

  get (roundId: string): OutgoingSubmission | undefined {
    const row = this.#select.get(roundId) as OutgoingRow | undefined
    // A row kept before tag keys existed has untagged ciphertexts, which no coordinator accepts now.
    if (row === undefined || row.tag_key === null) return undefined
    return { roundId: row.round_id, ciphertexts: row.ciphertexts, digest: row.digest, valuesDigest: row.values_digest, tagKey: row.tag_key, savedAtMs: row.saved_at_ms }
  }

  /**
   * Saves the round's receipt and drops its outgoing bytes in ONE
   * transaction: from then on the receipt is the record, and a crash in
   * between cannot leave a round with neither.
   */
  settle (roundId: string, receipt: Uint8Array, digest: Uint8Array): ClientReceipt {
    return this.#tx.run(() => {
      const saved = this.#receipts.save(roundId, receipt, digest)
      this.#delete.run(roundId)
      return saved
    })
  }
}
