// The public shape of a running federation node: what the library, the control API and the CLI drive.
import type { RoundOutcome, RoundStatus } from '../protocol/round/index.ts'

/** Round statuses mean the same on every role; protocol/round/status.ts says what each word means. */
export type { RoundOutcome, RoundStatus }

export type Role = 'coordinator' | 'aggregator' | 'client'

export interface MemberView {
  peerId: string
  name: string
  roles: Role[]
}

export interface RosterView {
  federationId: string
  version: number
  coordinator: string
  members: MemberView[]
}

export interface OpenRoundRequest {
  /** Vector length every client submits. */
  length: number
  /** 'int:<bits>' or 'fixed:<fractionBits>'. */
  encoding: string
  /** Clip bound for fixed-point encodings. */
  clip?: number
  /** Present for weighted means: bits of the integer weight each client sends. */
  weightBits?: number
  minParticipants: number
  maxParticipants?: number
  deadlineSeconds: number
  /** Peer IDs allowed to contribute; defaults to every roster client. */
  eligible?: string[]
  /** Aggregator peer ID; defaults to the roster's first aggregator. */
  aggregator?: string
}

export interface RoundView {
  roundId: string
  status: RoundStatus
  aggregator: string
  encoding: string
  length: number
  minParticipants: number
  eligible: string[]
  deadlineMs: number
  openedAtMs: number
  contributors?: number
  reason?: string
  /**
   * Client only: whether this client's contribution is in the decrypted sum (the transcript lists
   * it under its own digest and the decrypted result names that transcript); false for a failed or
   * corrupt round and after an alarm.
   */
  counted?: boolean
  /** Client only: set when the aggregator's transcript misrepresented this client's contribution. */
  alarm?: 'omitted' | 'listed-without-submission' | 'foreign-digest'
}

export interface RoundResultView {
  roundId: string
  status: RoundOutcome
  contributors: number
  /** Exact sums as decimal strings (int encodings) or decimal renderings of fixed-point sums. */
  sum: string[]
  /** Weighted or plain means for fixed-point rounds. */
  mean: number[]
  reason?: string
  decryptedAtMs: number
}

export interface ReceiptView {
  roundId: string
  client: string
  aggregator: string
  digest: string
  index: number
  acceptedAtMs: number
}

export interface NodeStatus {
  peerId: string
  federationId: string
  roles: Role[]
  multiaddrs: string[]
  connections: number
  rosterVersion: number
  rounds: RoundView[]
}

export interface FederationNode {
  readonly peerId: string
  start (): Promise<void>
  stop (): Promise<void>
  status (): Promise<NodeStatus>
  /** Multiaddrs others can dial, each ending in /p2p/<peerId>. */
  multiaddrs (): string[]
  roster (): RosterView | undefined
  /** Coordinator only. */
  addMember (peerId: string, roles: Role[], name?: string): Promise<RosterView>
  /** Coordinator only. */
  removeMember (peerId: string): Promise<RosterView>
  /** Coordinator only. */
  openRound (request: OpenRoundRequest): Promise<RoundView>
  rounds (): Promise<RoundView[]>
  round (roundId: string): Promise<RoundView | undefined>
  /** Coordinator only; undefined until the round has been decrypted or has failed. */
  result (roundId: string): Promise<RoundResultView | undefined>
  /** Waits until the round has a result or the signal aborts. */
  waitForResult (roundId: string, options?: { signal?: AbortSignal }): Promise<RoundResultView>
  /** Client only: contribute a vector to an open round (the latest open one when roundId is omitted). */
  submit (values: readonly number[], options?: { roundId?: string, weight?: number, signal?: AbortSignal }): Promise<ReceiptView>
}
