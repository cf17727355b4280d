// The coordinator's tag keys: each client's per-round key, stored before the client may submit, to check the aggregate's tag slots.
import { TagKeyConflictStoreError } from './errors.ts'
import { bytesEqual, requireBytes, requireId } from './input.ts'
import type { StoredBytes } from './input.ts'
import { Transactor } from './transaction.ts'
import type { DatabaseSync, StatementSync } from 'node:sqlite'

export class TagKeyStore {
  readonly #tx: Transactor
  readonly #now: () => number
  readonly #insert: StatementSync
  readonly #select: StatementSync
  readonly #selectRound: StatementSync

  constructor (db: DatabaseSync, now: () => number = Date.now) {
    this.#tx = new Transactor(db)
    this.#now = now
    this.#insert = db.prepare('INSERT INTO tag_keys (round_id, client, tag_key, signed_tag_key, saved_at_ms) VALUES (?, ?, ?, ?, ?)')
    this.#select = db.prepare('SELECT tag_key FROM tag_keys WHERE round_id = ? AND client = ?')
    this.#selectRound = db.prepare('SELECT client, tag_key FROM tag_keys WHERE round_id = ?')
  }

  /**
   * Keeps a client's tag key for a round (with the client's signed message, as evidence). The same
   * key again is a no-op, since a client resends it after a restart; another key is refused,
   * since the client's ciphertexts can carry tags of one key only.
   */
  save (roundId: string, client: string, tagKey: Uint8Array, signed: Uint8Array): void {
    requireId('round id', roundId)
    requireId('client', client)
    requireBytes('tag key', tagKey)
    requireBytes('signed tag key', signed)
    this.#tx.run(() => {
      const existing = this.#select.get(roundId, client) as { tag_key: StoredBytes } | undefined
      if (existing === undefined) {
        this.#insert.run(roundId, client, tagKey, signed, this.#now())
      } else if (!bytesEqual(existing.tag_key, tagKey)) {
        throw new TagKeyConflictStoreError(`tag key of ${client} for round ${JSON.stringify(roundId)}: expected the stored key again, got another`)
      }
    })
  }

  /** Every tag key stored for the round, by client peer ID. */
  forRound (roundId: string): Map<string, StoredBytes> {
    const rows = this.#selectRound.all(roundId) as Array<{ client: string, tag_key: StoredBytes }>
    return new Map(rows.map(row => [row.client, row.tag_key]))
  }
}
