// Signed roster versions: the node keeps every version it accepted and refuses to go back to an older one.
import { RosterVersionNotNewerError } from './errors.ts'
import { requireBytes, requireCount } from './input.ts'
import type { StoredBytes } from './input.ts'
import { Transactor } from './transaction.ts'
import type { DatabaseSync, StatementSync } from 'node:sqlite'

export interface StoredRoster {
  version: number
  /** The signed roster protobuf exactly as received; kept opaque. */
  signedRoster: StoredBytes
}

export class RosterStore {
  readonly #tx: Transactor
  readonly #now: () => number
  readonly #insert: StatementSync
  readonly #selectLatest: StatementSync

  constructor (db: DatabaseSync, now: () => number = Date.now) {
    this.#tx = new Transactor(db)
    this.#now = now
    this.#insert = db.prepare('INSERT INTO roster_versions (version, signed_roster, saved_at_ms) VALUES (?, ?, ?)')
    this.#selectLatest = db.prepare('SELECT version, signed_roster FROM roster_versions ORDER BY version DESC LIMIT 1')
  }

  /**
   * Appends a roster version. A version at or below the latest is refused:
   * accepting an older roster would let a replayed document re-admit a
   * removed member.
   */
  save (version: number, signedRoster: Uint8Array): void {
    requireCount('roster version', version)
    requireBytes('signed roster', signedRoster)
    this.#tx.run(() => {
      const latest = this.latest()
      if (latest !== undefined && version <= latest.version) throw new RosterVersionNotNewerError(latest.version, version)
      this.#insert.run(version, signedRoster, this.#now())
    })
  }

  latest (): StoredRoster | undefined {
    const row = this.#selectLatest.get() as { version: number, signed_roster: StoredBytes } | undefined
    return row === undefined ? undefined : { version: row.version, signedRoster: row.signed_roster }
  }
}
