// Round statuses as the store keeps them, and which status changes are allowed (forward only).

export const ROUND_STATUSES = ['open', 'closed', 'released', 'failed', 'decrypted', 'corrupt'] as const
export type RoundStatus = typeof ROUND_STATUSES[number]

/** Statuses a round never leaves: its outcome is final and its artifacts must not change. */
export const TERMINAL_ROUND_STATUSES: ReadonlySet<RoundStatus> = new Set(['failed', 'decrypted', 'corrupt'])

/**
 * Progress rank of each status. A round only moves to a strictly higher
 * rank: open -> closed (aggregator stopped accepting, transcript signed)
 * -> released (aggregate handed to the coordinator) -> one terminal
 * outcome. Steps may be skipped (a coordinator that never saw the closing
 * goes open -> decrypted; a quorum miss goes open -> failed), but never
 * back, and never from one terminal outcome to another.
 */
const RANK: Record<RoundStatus, number> = {
  open: 0,
  closed: 1,
  released: 2,
  failed: 3,
  decrypted: 3,
  corrupt: 3
}

export function isRoundStatus (value: string): value is RoundStatus {
  return (ROUND_STATUSES as readonly string[]).includes(value)
}

export function canTransition (from: RoundStatus, to: RoundStatus): boolean {
  return !TERMINAL_ROUND_STATUSES.has(from) && RANK[to] > RANK[from]
}
