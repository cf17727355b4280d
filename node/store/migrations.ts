// Schema of node.db, as an ordered list of migrations keyed on PRAGMA user_version.
import { StoreSchemaTooNewError } from './errors.ts'
import type { DatabaseSync } from 'node:sqlite'

/**
 * MIGRATIONS[i] upgrades a database from user_version i to i + 1. Entries are
 * append-only: a shipped migration is never edited, a change is a new entry.
 *
 * Protobuf messages (signed roster, announcement, transcript, receipts,
 * results) are opaque BLOBs; the store keeps next to them only the key
 * columns it queries on, so it never depends on protocol/messages.
 * STRICT tables make SQLite refuse a TEXT where a BLOB belongs.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE roster_versions (
    version INTEGER PRIMARY KEY CHECK (version >= 0),
    signed_roster BLOB NOT NULL,
    saved_at_ms INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE rounds (
    round_id TEXT PRIMARY KEY,
    signed_announcement BLOB NOT NULL,
    deadline_ms INTEGER NOT NULL,
    opened_at_ms INTEGER NOT NULL,
    status TEXT NOT NULL
      CHECK (status IN ('open', 'closed', 'released', 'failed', 'decrypted', 'corrupt')),
    status_reason TEXT,
    updated_at_ms INTEGER NOT NULL,
    signed_transcript BLOB,
    aggregate BLOB
  ) STRICT;
  CREATE INDEX rounds_by_status ON rounds (status, deadline_ms);

  CREATE TABLE submissions (
    round_id TEXT NOT NULL REFERENCES rounds (round_id),
    client TEXT NOT NULL,
    idx INTEGER NOT NULL CHECK (idx >= 0),
    digest BLOB NOT NULL,
    ciphertexts BLOB NOT NULL,
    receipt BLOB,
    accepted_at_ms INTEGER NOT NULL,
    PRIMARY KEY (round_id, client),
    UNIQUE (round_id, idx)
  ) STRICT;

  CREATE TABLE results (
    round_id TEXT PRIMARY KEY REFERENCES rounds (round_id),
    result BLOB NOT NULL,
    recorded_at_ms INTEGER NOT NULL,
    published_at_ms INTEGER
  ) STRICT;
  CREATE INDEX results_unpublished ON results (recorded_at_ms) WHERE published_at_ms IS NULL;

  CREATE TABLE client_receipts (
    round_id TEXT PRIMARY KEY,
    receipt BLOB NOT NULL,
    digest BLOB NOT NULL,
    saved_at_ms INTEGER NOT NULL
  ) STRICT;
  `,
  // Ciphertexts carry fresh randomness, so a digest seen in an earlier round marks a replay.
  `
  CREATE INDEX submissions_by_digest ON submissions (digest);
  `,
  // A client's encrypted submission, stored before its first send so that a restart resends the same bytes.
  `
  CREATE TABLE client_submissions (
    round_id TEXT PRIMARY KEY,
    ciphertexts BLOB NOT NULL,
    digest BLOB NOT NULL,
    values_digest BLOB NOT NULL,
    saved_at_ms INTEGER NOT NULL
  ) STRICT;
  `,
  // Round integrity (docs/crypto.md, Tags): each submission keeps the client's signed statement for
  // the transcript; a client keeps its round tag key with the ciphertexts it tagged, so a resend
  // after a restart sends the same key; the coordinator keeps every client's tag key, stored
  // before it acknowledges, to check the aggregate's tag slots.
  `
  ALTER TABLE submissions ADD COLUMN statement BLOB;
  ALTER TABLE client_submissions ADD COLUMN tag_key BLOB;
  CREATE TABLE tag_keys (
    round_id TEXT NOT NULL REFERENCES rounds (round_id),
    client TEXT NOT NULL,
    tag_key BLOB NOT NULL,
    signed_tag_key BLOB NOT NULL,
    saved_at_ms INTEGER NOT NULL,
    PRIMARY KEY (round_id, client)
  ) STRICT;
  `,
  // Training sessions. Models are stored once by hash. A coordinator keeps each session's state (the
  // checkpoint, rewritten with the round's outcome in the transaction that records the result) and
  // one training_rounds row per model it published; a client keeps the signed models it fetched.
  `
  CREATE TABLE training_models (
    model_hash TEXT PRIMARY KEY,
    parameters BLOB NOT NULL,
    saved_at_ms INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE training_sessions (
    session_id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    model_hash TEXT NOT NULL REFERENCES training_models (model_hash),
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE training_rounds (
    session_id TEXT NOT NULL,
    round INTEGER NOT NULL CHECK (round >= 0),
    round_id TEXT UNIQUE,
    model_hash TEXT NOT NULL REFERENCES training_models (model_hash),
    signed_model BLOB NOT NULL,
    outcome TEXT,
    saved_at_ms INTEGER NOT NULL,
    PRIMARY KEY (session_id, round)
  ) STRICT;
  CREATE INDEX training_rounds_by_time ON training_rounds (saved_at_ms);
  `
]

/**
 * Brings the schema up to date in ONE transaction: PRAGMA user_version is
 * stored in the database header and rolls back with the transaction, so a
 * crash mid-migration leaves the old version and the old schema together.
 */
export function migrate (db: DatabaseSync, migrations: readonly string[] = MIGRATIONS): number {
  const current = readUserVersion(db)
  if (current > migrations.length) {
    throw new StoreSchemaTooNewError(`store: expected schema version <= ${migrations.length}, got ${current} (written by a newer fedagg)`)
  }
  if (current === migrations.length) return current
  db.exec('BEGIN IMMEDIATE')
  try {
    for (let version = current; version < migrations.length; version++) {
      db.exec(migrations[version] as string)
    }
    // PRAGMA takes no bound parameters; the value is our own integer.
    db.exec(`PRAGMA user_version = ${migrations.length}`)
    db.exec('COMMIT')
  } catch (err) {
    if (db.isTransaction) db.exec('ROLLBACK')
    throw err
  }
  return migrations.length
}

export function readUserVersion (db: DatabaseSync): number {
  const row = db.prepare('PRAGMA user_version').get() as { user_version: number }
  return row.user_version
}
