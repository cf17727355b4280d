// The one round-status vocabulary of every role, the store, the control API, the CLI and metrics, and the failure reason codes.

/**
 * Each status word states a fact about the round itself, not about one node's bookkeeping, so
 * every node that knows the fact reports the same word. A node reports the furthest status it
 * knows of (observedRoundStatus): the one its own role recorded, raised by what it saw of the
 * others (the deadline passing, the aggregator's transcript, the coordinator's result).
 *
 * - `open`: announced, and contributions are still accepted.
 *   Coordinator: from announcing until the deadline. Aggregator: from adopting the
 *   announcement until it closes the round. Client: from the verified announcement until the deadline.
 * - `closed`: no further contributions are accepted (the deadline came, or every eligible
 *   client contributed and the aggregator closed early), and no aggregate is released yet.
 *   Coordinator: past the deadline while it waits for the aggregate. Aggregator: it stopped
 *   accepting and has not yet stored its transcript. Client: past the deadline, no transcript seen.
 * - `released`: the aggregator reached quorum and released the re-randomized aggregate with its
 *   signed transcript; nothing is decrypted yet. Aggregator: once it stored the released
 *   transcript. Coordinator and client: once they saw that transcript.
 * - `decrypted`: the coordinator decrypted the aggregate, every check held, and it recorded
 *   and published the result. Every role: once it holds that result (the coordinator records it).
 * - `failed`: the round ended without an aggregate to decrypt; a RoundFailureReason says why.
 *   Aggregator: it closed below quorum (or could not build a valid aggregate). Coordinator: it
 *   recorded the failure. Client: it saw the failed transcript or result.
 * - `corrupt`: the aggregate was decrypted but failed a check (guard bits, slot ranges, count
 *   slot); its values are never used or published. Every role: once it holds that result.
 *
 * `decrypted`, `failed` and `corrupt` are the outcomes (RoundOutcome): final on every role, and
 * the words RoundResult.status carries on the wire; Transcript.status carries `released` or `failed`.
 */
export const ROUND_STATUSES = ['open', 'closed', 'released', 'decrypted', 'failed', 'corrupt'] as const
export type RoundStatus = typeof ROUND_STATUSES[number]

/** The final statuses: a round never leaves one, and its artifacts must not change. */
export const ROUND_OUTCOMES = ['decrypted', 'failed', 'corrupt'] as const
export type RoundOutcome = typeof ROUND_OUTCOMES[number]

export const TERMINAL_ROUND_STATUSES: ReadonlySet<RoundStatus> = new Set<RoundStatus>(ROUND_OUTCOMES)

/**
 * Progress rank of each status. A round only moves to a strictly higher rank: open -> closed ->
 * released -> one outcome. Steps may be skipped (the coordinator goes open -> decrypted when it
 * pulls the aggregate before seeing the transcript; a quorum miss goes open -> failed), but never
 * back, and never from one outcome to another.
 */
const RANK: Record<RoundStatus, number> = {
  open: 0,
  closed: 1,
  released: 2,
  decrypted: 3,
  failed: 3,
  corrupt: 3
}

export function isRoundStatus (value: string): value is RoundStatus {
  return (ROUND_STATUSES as readonly string[]).includes(value)
}

export function isRoundOutcome (value: string): value is RoundOutcome {
  return (ROUND_OUTCOMES as readonly string[]).includes(value)
}

/** Whether a round may move from one status to another (forward only, outcomes final). */
export function canTransition (from: RoundStatus, to: RoundStatus): boolean {
  return !TERMINAL_ROUND_STATUSES.has(from) && RANK[to] > RANK[from]
}

/** What one node knows about a round, from its own role and from the others. */
export interface RoundObservation {
  /** The status this node's own role recorded; 'open' for a round it only follows (a client). */
  recorded: RoundStatus
  deadlineMs: number
  nowMs: number
  /** Transcript.status of the aggregator's signed transcript, when this node has seen it. */
  transcript?: 'released' | 'failed'
  /** RoundResult.status of the coordinator's signed result, when this node holds it. */
  result?: RoundOutcome
}

/**
 * The status a node reports for a round: the furthest of what its role recorded and what it saw.
 * A recorded outcome is kept as it is (outcomes are final); otherwise the coordinator's result
 * decides, then the aggregator's transcript, then the deadline (no contribution is accepted at
 * or after it, so the round is at least closed).
 */
export function observedRoundStatus (observation: RoundObservation): RoundStatus {
  const { recorded, deadlineMs, nowMs, transcript, result } = observation
  if (TERMINAL_ROUND_STATUSES.has(recorded)) return recorded
  const seen: RoundStatus[] = [recorded]
  if (nowMs >= deadlineMs) seen.push('closed')
  if (transcript !== undefined) seen.push(transcript)
  if (result !== undefined) seen.push(result)
  return seen.reduce((furthest, status) => RANK[status] > RANK[furthest] ? status : furthest)
}

/**
 * Why a round ended `failed` or `corrupt`, as a small fixed set of codes: coordinator and
 * aggregator label their round-outcome metrics with these, so one reason reads the same on
 * both. The free-text reason a round also carries is for operators and never holds values.
 */
export const ROUND_FAILURE_REASONS = {
  /** failed: fewer than minParticipants contributed by the deadline (the aggregator's close, or its failed transcript). */
  quorum: 'quorum',
  /** failed: quorum was met but the aggregator could not release a valid aggregate (its final gcd(c, n) = 1 check). */
  aggregate_invalid: 'aggregate_invalid',
  /** failed: the coordinator got no aggregate before the deadline plus its settle grace (aggregator down or unreachable). */
  no_aggregate: 'no_aggregate',
  /** failed: the aggregator's transcript or aggregate failed verification (signature, round, eligibility, digest). */
  document_invalid: 'document_invalid',
  /** failed: the coordinator's operator cancelled the round before it was decided. */
  cancelled: 'cancelled',
  /** corrupt: a guard bit was set or a slot was out of range after decryption. */
  slot_check: 'slot_check',
  /** corrupt: the count slot differs from the transcript's contributor count. */
  count_mismatch: 'count_mismatch',
  /** corrupt: a tag slot differs from the sum of the listed contributors' tags, or a listed contributor gave no tag key. */
  tag_mismatch: 'tag_mismatch',
  /** corrupt: a listed contributor has no valid signed statement for the digest it is listed under. */
  statement_invalid: 'statement_invalid'
} as const
export type RoundFailureReason = typeof ROUND_FAILURE_REASONS[keyof typeof ROUND_FAILURE_REASONS]
