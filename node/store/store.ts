// Opens node.db: sets the durability PRAGMAs, migrates the schema, and wires the per-concern stores into one facade.
import { DatabaseSync } from 'node:sqlite'
import { StoreConfigurationError } from './errors.ts'
import { migrate } from './migrations.ts'
import { OutgoingSubmissionStore } from './outgoing.ts'
import { ReceiptStore } from './receipts.ts'
import { ResultStore } from './results.ts'
import { RosterStore } from './roster.ts'
import { RoundStore } from './rounds.ts'
import { SubmissionStore } from './submissions.ts'
import { TagKeyStore } from './tag-keys.ts'
import { TrainingStore } from './training.ts'

/**
 * How long a statement waits for another connection's lock before failing
 * with SQLITE_BUSY. Only the daemon writes node.db, but the CLI may open it
 * read-only for status while a write transaction (a few ms) is in flight.
 */
export const BUSY_TIMEOUT_MS = 5_000

export interface OpenStoreOptions {
  /** Clock for the store's own timestamps (saved/updated/recorded/published). @default Date.now */
  now?: () => number
}

/** The connection's effective SQLite settings, as read back from SQLite (for status output and tests). */
export interface StoreSettings {
  journalMode: string
  /** 2 is FULL. */
  synchronous: number
  foreignKeys: boolean
  busyTimeoutMs: number
  schemaVersion: number
}

export interface Store {
  readonly path: string
  readonly roster: RosterStore
  readonly rounds: RoundStore
  readonly submissions: SubmissionStore
  readonly results: ResultStore
  readonly receipts: ReceiptStore
  readonly outgoing: OutgoingSubmissionStore
  readonly tagKeys: TagKeyStore
  readonly training: TrainingStore
  settings(): StoreSettings
  /** Closes the database; idempotent. Every committed transaction is already on disk. */
  close(): void
}

/**
 * Opens (creating if needed) the store at `path`, usually `<dataDir>/node.db`;
 * ':memory:' gives a throwaway store for tests.
 *
 * - journal_mode=WAL: readers never block the writer, and a commit is one
 *   append to the log rather than a rewrite of pages.
 * - synchronous=FULL: the WAL is fsynced at every commit, so a commit that
 *   returned survives power loss, not just a process crash; this is what
 *   "persisted before acknowledged" needs. NORMAL would only fsync at
 *   checkpoints and could lose the last acknowledged submissions.
 * - foreign_keys=ON: a submission or result for an unknown round is refused
 *   by SQLite itself as well.
 */
export function openStore (path: string, options: OpenStoreOptions = {}): Store {
  const now = options.now ?? Date.now
  const db = new DatabaseSync(path)
  try {
    const { journal_mode: mode } = db.prepare('PRAGMA journal_mode = WAL').get() as { journal_mode: string }
    if (mode !== 'wal' && mode !== 'memory') {
      throw new StoreConfigurationError(`store ${path}: expected journal_mode "wal", got "${mode}" (is the data dir on a filesystem without shared memory?)`)
    }
    db.exec(`PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`)
    migrate(db)
  } catch (err) {
    db.close()
    throw err
  }
  const readSettings = db.prepare(`SELECT
    (SELECT journal_mode FROM pragma_journal_mode) AS journal_mode,
    (SELECT synchronous FROM pragma_synchronous) AS synchronous,
    (SELECT foreign_keys FROM pragma_foreign_keys) AS foreign_keys,
    (SELECT timeout FROM pragma_busy_timeout) AS busy_timeout,
    (SELECT user_version FROM pragma_user_version) AS user_version`)
  const rounds = new RoundStore(db, now)
  const receipts = new ReceiptStore(db, now)
  return {
    path,
    roster: new RosterStore(db, now),
    rounds,
    submissions: new SubmissionStore(db),
    results: new ResultStore(db, rounds, now),
    receipts,
    outgoing: new OutgoingSubmissionStore(db, receipts, now),
    tagKeys: new TagKeyStore(db, now),
    training: new TrainingStore(db, now),
    settings () {
      const row = readSettings.get() as { journal_mode: string, synchronous: number, foreign_keys: number, busy_timeout: number, user_version: number }
      return {
        journalMode: row.journal_mode,
        synchronous: row.synchronous,
        foreignKeys: row.foreign_keys === 1,
        busyTimeoutMs: row.busy_timeout,
        schemaVersion: row.user_version
      }
    },
    close () {
      if (db.isOpen) db.close()
    }
  }
}
