// The client's receipts: proof, signed by the aggregator, that its submission for a round was accepted.
import { ReceiptConflictError } from './errors.ts'
import { bytesEqual, requireBytes, requireId } from './input.ts'
import type { StoredBytes } from './input.ts'
import { Transactor } from './transaction.ts'
import type { DatabaseSync, StatementSync } from 'node:sqlite'

export interface ClientReceipt {
  roundId: string
  /** The aggregator's signed receipt protobuf; kept opaque. */
  receipt: StoredBytes
  /** Digest of what this client submitted, to check the receipt and the transcript against. */
  digest: StoredBytes
  /** Digest of the packed values that were encrypted; absent on receipts saved before it was kept. */
  valuesDigest?: StoredBytes
  savedAtMs: number
}

export class ReceiptStore {
  readonly #tx: Transactor
  readonly #now: () => number
  readonly #insert: StatementSync
  readonly #select: StatementSync

  constructor (db: DatabaseSync, now: () => number = Date.now) {
    this.#tx = new Transactor(db)
    this.#now = now
    this.#insert = db.prepare('INSERT INTO client_receipts (round_id, receipt, digest, values_digest, saved_at_ms) VALUES (?, ?, ?, ?, ?)')
    this.#select = db.prepare('SELECT round_id, receipt, digest, values_digest, saved_at_ms FROM client_receipts WHERE round_id = ?')
  }

  /**
   * Keeps the receipt for a round. Saving the same receipt again is a
   * no-op (a resend gets the same receipt back); a different receipt or
   * digest for the same round is refused, since the aggregator must count
   * a client once per round and should never sign two receipts for it.
   */
  save (roundId: string, receipt: Uint8Array, digest: Uint8Array, valuesDigest?: Uint8Array): ClientReceipt {
    requireId('round id', roundId)
    requireBytes('receipt', receipt)
    requireBytes('digest', digest)
    return this.#tx.run(() => {
      const existing = this.get(roundId)
      if (existing === undefined) {
        this.#insert.run(roundId, receipt, digest, valuesDigest ?? null, this.#now())
        return this.get(roundId) as ClientReceipt
      }
      if (!bytesEqual(existing.receipt, receipt) || !bytesEqual(existing.digest, digest)) {
        throw new ReceiptConflictError(`receipt for round ${JSON.stringify(roundId)}: expected the stored receipt and digest again, got different bytes`)
      }
      return existing
    })
  }

  get (roundId: string): ClientReceipt | undefined {
    const row = this.#select.get(roundId) as { round_id: string, receipt: StoredBytes, digest: StoredBytes, values_digest: StoredBytes | null, saved_at_ms: number } | undefined
    if (row === undefined) return undefined
    return {
      roundId: row.round_id,
      receipt: row.receipt,
      digest: row.digest,
      ...(row.values_digest === null ? {} : { valuesDigest: row.values_digest }),
      savedAtMs: row.saved_at_ms
    }
  }
}
