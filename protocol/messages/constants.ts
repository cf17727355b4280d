// Wire constants: protocol IDs, the gossip topic name, signature domains, roles and status codes.
import { assertFederationId } from './identifiers.ts'
import type { RoundOutcome, RoundStatus } from '../round/index.ts'

/** libp2p stream protocols, `/fedagg/<name>/<semver>` (DESIGN.md, Wire). */
export const PROTOCOLS = {
  /** client -> aggregator: SubmissionHeader, CiphertextChunk x chunkCount; answer SubmitResponse. */
  submit: '/fedagg/submit/1.0.0',
  /** coordinator -> aggregator: AggregateRequest; answer AggregateResponseHeader, CiphertextChunk x chunkCount. */
  aggregate: '/fedagg/aggregate/1.0.0',
  /** any member -> coordinator: RosterRequest; answer SignedPayload of a Roster. */
  roster: '/fedagg/roster/1.0.0',
  /** any member -> coordinator: PeerDirectoryRequest; answer PeerDirectory (addresses of members). */
  peers: '/fedagg/peers/1.0.0',
  /** any member -> coordinator: OpenRoundsRequest; answer OpenRoundsResponse. */
  rounds: '/fedagg/rounds/1.0.0',
  /** any member -> coordinator: KeyProofRequest; answer KeyProofResponse (the key's Paillier–Blum modulus proof). */
  keyproof: '/fedagg/keyproof/1.0.0',
  /** client -> coordinator: SignedPayload of a TagKey; answer TagKeyResponse once stored. */
  tagkey: '/fedagg/tagkey/1.0.0',
  /** any member -> coordinator: ModelRequest; answer ModelResponseHeader, ModelChunk x chunkCount (training sessions). */
  model: '/fedagg/model/1.0.0'
} as const

export type ProtocolName = keyof typeof PROTOCOLS

/**
 * The gossipsub topic of one federation; its only message type is FederationEvent. The
 * federation id is validated first so a topic name can never smuggle a '/'-separated suffix.
 */
export function federationTopic (federationId: string): string {
  assertFederationId(federationId)
  return `/fedagg/federation/${federationId}/events/1.0.0`
}

/**
 * Signature domains (protocol/signing): a signature made for one kind of document never verifies
 * as another, even if the payload bytes happened to decode as both.
 */
export const DOMAINS = {
  roster: 'fedagg/roster/1',
  announcement: 'fedagg/announcement/1',
  receipt: 'fedagg/receipt/1',
  transcript: 'fedagg/transcript/1',
  result: 'fedagg/result/1',
  submission: 'fedagg/submission/1',
  tagKey: 'fedagg/tagkey/1',
  model: 'fedagg/model/1'
} as const

export type SignatureDomain = typeof DOMAINS[keyof typeof DOMAINS]

/** Roles a roster member may hold (RosterMember.roles). */
export const ROLES = ['coordinator', 'aggregator', 'client'] as const
export type Role = typeof ROLES[number]

export function isRole (value: string): value is Role {
  return (ROLES as readonly string[]).includes(value)
}

/** Transcript.status: how the aggregator closed the round, in the round-status words (protocol/round/status.ts). */
export const TRANSCRIPT_STATUS = { released: 'released', failed: 'failed' } as const satisfies Record<string, RoundStatus>
export type TranscriptStatus = typeof TRANSCRIPT_STATUS[keyof typeof TRANSCRIPT_STATUS]

/** AggregateResponseHeader.status */
export const AGGREGATE_STATUS = { ready: 'ready', pending: 'pending', failed: 'failed', unknown: 'unknown' } as const
export type AggregateStatus = typeof AGGREGATE_STATUS[keyof typeof AGGREGATE_STATUS]

/** RoundResult.status: the round's outcome, exactly the round-status outcomes (protocol/round/status.ts). */
export const RESULT_STATUS = { decrypted: 'decrypted', failed: 'failed', corrupt: 'corrupt' } as const satisfies Record<RoundOutcome, RoundOutcome>
export type ResultStatus = typeof RESULT_STATUS[keyof typeof RESULT_STATUS]

/** Length of every digest on the wire: SHA-256. */
export const DIGEST_BYTES = 32
