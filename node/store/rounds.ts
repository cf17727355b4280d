// Rounds as coordinator and aggregator remember them: the signed announcement (handed out parsed, once), status, and the aggregator's closing artifacts.
import { IllegalRoundTransitionError, InvalidClosingError, InvalidStoreInputError, RoundAnnouncementConflictError, unknownStoredRound } from './errors.ts'
import { bytesEqual, requireBytes, requireCount, requireId } from './input.ts'
import type { StoredBytes } from './input.ts'
import { ROUND_STATUSES, canTransition, interpretStoredAnnouncement, isRoundStatus } from '../../protocol/round/index.ts'
import type { AnnouncedRound, RoundStatus } from '../../protocol/round/index.ts'
import { Transactor } from './transaction.ts'
import type { DatabaseSync, StatementSync } from 'node:sqlite'

export interface RoundAnnouncementInput {
  roundId: string
  /** The RoundAnnouncement protobuf exactly as signed; kept opaque. */
  signedAnnouncement: Uint8Array
  deadlineMs: number
  openedAtMs: number
  /** The same announcement verified and interpreted by the caller; kept so announced() never parses it again. */
  announced?: AnnouncedRound
}

export interface RoundRecord {
  roundId: string
  signedAnnouncement: StoredBytes
  deadlineMs: number
  openedAtMs: number
  status: RoundStatus
  statusReason: string | undefined
  updatedAtMs: number
  /** True once saveClosing stored a transcript; fetch it with closing(). */
  hasClosing: boolean
}

export interface UpsertAnnouncementResult {
  /** False when the identical announcement was already stored (gossip repeats, late fetches). */
  inserted: boolean
  round: RoundRecord
}

/**
 * What the aggregator persists when it closes a round. A released round
 * carries the re-randomized aggregate (its ciphertexts concatenated); a
 * failed one (quorum missed) carries none, because nothing may be released.
 */
export type RoundClosingInput =
  | { status: 'released', signedTranscript: Uint8Array, aggregate: Uint8Array, reason?: string }
  | { status: 'failed', signedTranscript: Uint8Array, aggregate?: undefined, reason?: string }

export interface RoundClosing {
  status: RoundStatus
  signedTranscript: StoredBytes
  aggregate: StoredBytes | undefined
}

interface RoundRow {
  round_id: string
  signed_announcement: StoredBytes
  deadline_ms: number
  opened_at_ms: number
  status: string
  status_reason: string | null
  updated_at_ms: number
  has_closing: number
}

const ROUND_COLUMNS = `round_id, signed_announcement, deadline_ms, opened_at_ms, status, status_reason,
  updated_at_ms, signed_transcript IS NOT NULL AS has_closing`

export class RoundStore {
  readonly #tx: Transactor
  readonly #now: () => number
  readonly #insert: StatementSync
  readonly #select: StatementSync
  readonly #selectByStatus: StatementSync
  readonly #updateStatus: StatementSync
  readonly #updateClosing: StatementSync
  readonly #selectClosing: StatementSync
  /**
   * Parsed announcements by round id. A stored announcement never changes (a different one under
   * the same id is refused), so an entry never goes stale; each is a few kilobytes (the key).
   */
  readonly #announced = new Map<string, AnnouncedRound>()

  constructor (db: DatabaseSync, now: () => number = Date.now) {
    this.#tx = new Transactor(db)
    this.#now = now
    this.#insert = db.prepare(`INSERT INTO rounds
      (round_id, signed_announcement, deadline_ms, opened_at_ms, status, updated_at_ms)
      VALUES (?, ?, ?, ?, 'open', ?) ON CONFLICT (round_id) DO NOTHING`)
    this.#select = db.prepare(`SELECT ${ROUND_COLUMNS} FROM rounds WHERE round_id = ?`)
    this.#selectByStatus = db.prepare(`SELECT ${ROUND_COLUMNS} FROM rounds WHERE status = ?
      ORDER BY deadline_ms, opened_at_ms, round_id`)
    this.#updateStatus = db.prepare('UPDATE rounds SET status = ?, status_reason = ?, updated_at_ms = ? WHERE round_id = ?')
    this.#updateClosing = db.prepare(`UPDATE rounds SET status = ?, status_reason = ?, updated_at_ms = ?,
      signed_transcript = ?, aggregate = ? WHERE round_id = ?`)
    this.#selectClosing = db.prepare(`SELECT status, signed_transcript, aggregate FROM rounds
      WHERE round_id = ? AND signed_transcript IS NOT NULL`)
  }

  /**
   * Stores an announcement as an open round. Idempotent for the same bytes;
   * different bytes under a stored round id are refused, because the
   * eligible clients and key of a round with submissions must never change
   * underneath it.
   */
  upsertAnnouncement (input: RoundAnnouncementInput): UpsertAnnouncementResult {
    requireId('round id', input.roundId)
    requireBytes('signed announcement', input.signedAnnouncement)
    requireCount('deadlineMs', input.deadlineMs)
    requireCount('openedAtMs', input.openedAtMs)
    const result = this.#tx.run(() => {
      const { changes } = this.#insert.run(input.roundId, input.signedAnnouncement, input.deadlineMs, input.openedAtMs, this.#now())
      const round = this.#require(input.roundId)
      if (changes === 0 && !bytesEqual(round.signedAnnouncement, input.signedAnnouncement)) {
        throw new RoundAnnouncementConflictError(input.roundId)
      }
      return { inserted: changes > 0, round }
    })
    // Only once committed: a refused or rolled-back announcement must not be handed out.
    if (input.announced !== undefined && !this.#announced.has(input.roundId)) this.#announced.set(input.roundId, input.announced)
    return result
  }

  /**
   * The round's announcement, decoded and interpreted once per process (when stored with
   * `announced`, or at the first call after a restart) and cached: callers pass this object
   * around instead of re-decoding the stored bytes, which costs about 1 ms a time. The bytes were
   * verified before they were stored, so they are not verified again.
   */
  announced (roundId: string): AnnouncedRound {
    const cached = this.#announced.get(roundId)
    if (cached !== undefined) return cached
    const round = interpretStoredAnnouncement(this.#require(roundId).signedAnnouncement)
    this.#announced.set(roundId, round)
    return round
  }

  get (roundId: string): RoundRecord | undefined {
    const row = this.#select.get(roundId) as RoundRow | undefined
    return row === undefined ? undefined : toRecord(row)
  }

  /** Rounds in one status, soonest deadline first (the order a restarted node re-arms its timers in). */
  listByStatus (status: RoundStatus): RoundRecord[] {
    requireStatus(status)
    return (this.#selectByStatus.all(status) as unknown as RoundRow[]).map(toRecord)
  }

  /** Moves a round forward; see protocol/round/status.ts for which moves are legal. */
  setStatus (roundId: string, status: RoundStatus, reason?: string): RoundRecord {
    requireStatus(status)
    return this.#tx.run(() => {
      this.#checkTransition(roundId, status)
      this.#updateStatus.run(status, reason ?? null, this.#now(), roundId)
      return this.#require(roundId)
    })
  }

  /**
   * The aggregator's close: transcript, aggregate and status land in ONE
   * transaction, so after a crash the artifacts exist exactly when the
   * status says so. Allowed from 'open', or from 'closed' without
   * artifacts: the aggregator may first setStatus('closed') (which stops
   * new submissions), sign the transcript asynchronously, then save it;
   * a crash in between leaves 'closed' without artifacts, and the restarted
   * aggregator closes again from the stored submissions. Artifacts are
   * saved once: a second saveClosing is refused.
   */
  saveClosing (roundId: string, closing: RoundClosingInput): RoundRecord {
    requireStatus(closing.status)
    requireBytes('signed transcript', closing.signedTranscript)
    checkClosingShape(closing)
    return this.#tx.run(() => {
      const current = this.#require(roundId)
      const closable = (current.status === 'open' || current.status === 'closed') && !current.hasClosing
      if (!closable) throw new IllegalRoundTransitionError(roundId, current.status, closing.status)
      this.#updateClosing.run(closing.status, closing.reason ?? null, this.#now(),
        closing.signedTranscript, closing.aggregate ?? null, roundId)
      return this.#require(roundId)
    })
  }

  /** The stored closing artifacts, or undefined if the round never closed here. */
  closing (roundId: string): RoundClosing | undefined {
    const row = this.#selectClosing.get(roundId) as { status: string, signed_transcript: StoredBytes, aggregate: StoredBytes | null } | undefined
    if (row === undefined) return undefined
    return { status: row.status as RoundStatus, signedTranscript: row.signed_transcript, aggregate: row.aggregate ?? undefined }
  }

  #checkTransition (roundId: string, to: RoundStatus): void {
    const current = this.#require(roundId)
    if (!canTransition(current.status, to)) throw new IllegalRoundTransitionError(roundId, current.status, to)
  }

  #require (roundId: string): RoundRecord {
    const round = this.get(roundId)
    if (round === undefined) throw unknownStoredRound(roundId)
    return round
  }
}

function checkClosingShape (closing: RoundClosingInput): void {
  if (closing.status === 'failed') {
    if (closing.aggregate !== undefined) {
      throw new InvalidClosingError('closing: expected no aggregate for a failed round (nothing is released below quorum), got one')
    }
  } else if (closing.status === 'released') {
    requireBytes('aggregate', closing.aggregate)
  } else {
    throw new InvalidClosingError(`closing: expected status "released" or "failed", got "${(closing as { status: string }).status}"`)
  }
}

function requireStatus (status: string): void {
  if (!isRoundStatus(status)) throw new InvalidStoreInputError(`round status: expected one of ${ROUND_STATUSES.join(', ')}, got ${JSON.stringify(status)}`)
}

function toRecord (row: RoundRow): RoundRecord {
  return {
    roundId: row.round_id,
    signedAnnouncement: row.signed_announcement,
    deadlineMs: row.deadline_ms,
    openedAtMs: row.opened_at_ms,
    status: row.status as RoundStatus,
    statusReason: row.status_reason ?? undefined,
    updatedAtMs: row.updated_at_ms,
    hasClosing: row.has_closing === 1
  }
}
