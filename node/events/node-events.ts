// The operator-facing event log: one structured event per round transition, submission decision, membership change and join step.

/** Every event the node reports to its operator; the name is the `event` field of the log line. */
export type NodeEventName =
  | 'round.opened' | 'round.cancelled' | 'round.closed' | 'round.released' | 'round.failed' | 'round.decrypted' | 'round.corrupt'
  | 'submission.accepted' | 'submission.refused'
  | 'member.added' | 'member.removed' | 'roster.updated'
  | 'join.dialling' | 'join.roster-verified' | 'join.admitted' | 'join.removed'
  | 'join.peer-id-mismatch' | 'join.not-admitted' | 'join.unreachable' | 'join.no-join-address'

export type NodeEventLevel = 'debug' | 'info' | 'warn' | 'error'

/**
 * Fields of an event. `peerId` names the other party (the client that
 * submitted, the member added, the coordinator dialled) and `roundId` the
 * round, so a log search by either finds every event about it. Values are
 * never decrypted data.
 */
export interface NodeEventFields {
  peerId?: string
  roundId?: string
  reason?: string
  [field: string]: string | number | boolean | string[] | undefined
}

export interface NodeEvents {
  emit (level: NodeEventLevel, event: NodeEventName, fields: NodeEventFields, message: string): void
}

/** What a library user gets unless they pass their own: events go nowhere. */
export const NO_EVENTS: NodeEvents = { emit: () => {} }

/** The shape of a pino logger that events need. */
export interface EventLogger {
  debug (object: object, message: string): void
  info (object: object, message: string): void
  warn (object: object, message: string): void
  error (object: object, message: string): void
}

/** Events as log lines of `logger`, with `event` and the fields as structured properties. */
export function loggedEvents (logger: EventLogger): NodeEvents {
  return {
    emit: (level, event, fields, message) => { logger[level]({ event, ...fields }, message) }
  }
}
