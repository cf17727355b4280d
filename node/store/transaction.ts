// Runs a synchronous body inside one SQLite write transaction, joining an enclosing one if present.
import { AsyncTransactionError } from './errors.ts'
import type { DatabaseSync, StatementSync } from 'node:sqlite'

/**
 * BEGIN IMMEDIATE takes the write lock up front, so a read-then-write body
 * (e.g. "next index = max + 1, then insert") cannot interleave with another
 * connection's writer. Nested calls join the outer transaction (checked
 * through `db.isTransaction`), which lets one store module reuse another's
 * logic inside a single atomic unit, e.g. result + status change.
 */
export class Transactor {
  readonly #db: DatabaseSync
  readonly #begin: StatementSync
  readonly #commit: StatementSync
  readonly #rollback: StatementSync

  constructor (db: DatabaseSync) {
    this.#db = db
    this.#begin = db.prepare('BEGIN IMMEDIATE')
    this.#commit = db.prepare('COMMIT')
    this.#rollback = db.prepare('ROLLBACK')
  }

  run<T>(body: () => T): T {
    if (this.#db.isTransaction) {
      return checkSync(body())
    }
    this.#begin.run()
    try {
      const result = checkSync(body())
      this.#commit.run()
      return result
    } catch (err) {
      // SQLite may already have rolled back on its own (e.g. SQLITE_FULL); only roll back what is still open.
      if (this.#db.isTransaction) this.#rollback.run()
      throw err
    }
  }
}

function checkSync<T> (result: T): T {
  if (typeof (result as { then?: unknown } | null)?.then === 'function') {
    throw new AsyncTransactionError('transaction: expected a synchronous body, got a promise (an await would split the transaction)')
  }
  return result
}
