// Shared test helpers for the store: throwaway stores, a fake clock, and byte fixtures.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openStore } from '../../../node/store/index.ts'
import type { Store } from '../../../node/store/index.ts'

export function bytes (...values: number[]): Uint8Array {
  return Uint8Array.from(values)
}

/** A clock the test advances by hand, so timestamps are exact. */
export function fakeClock (start = 1_000): { now: () => number, advance: (ms: number) => void } {
  let t = start
  return { now: () => t, advance: (ms: number) => { t += ms } }
}

export function memoryStore (now?: () => number): Store {
  return openStore(':memory:', now === undefined ? {} : { now })
}

/** A fresh data dir on disk (for reopen and crash tests); remove() deletes it. */
export function tempDir (): { dir: string, dbPath: string, remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'fedagg-store-'))
  return { dir, dbPath: join(dir, 'node.db'), remove: () => { rmSync(dir, { recursive: true, force: true }) } }
}

export function openRound (store: Store, roundId: string, deadlineMs = 60_000): void {
  store.rounds.upsertAnnouncement({ roundId, signedAnnouncement: new TextEncoder().encode(`ann:${roundId}`), deadlineMs, openedAtMs: 1_000 })
}
