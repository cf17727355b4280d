// The public shape of a running federation node: what the library, the control API and the CLI drive.
import type { SessionSettings } from '../protocol/training/index.ts'
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

/** Settings of a training session; see protocol/training/settings.ts for each default and why. */
export type SessionSettingsView = SessionSettings

export interface StartSessionRequest extends Partial<SessionSettingsView> {
  /** Initial global model; zeros of `parameterCount` when absent. */
  initialModel?: Float64Array
  parameterCount?: number
}

export type SessionStatus = 'running' | 'completed' | 'converged'

export interface SessionRoundView {
  round: number
  /** The fedagg round that took this round's updates. */
  roundId?: string
  /** Hash of the model the round trained from. */
  modelHash: string
  /** 'open' until the coordinator records the outcome ('final' marks a session's final model). */
  status: 'open' | 'decrypted' | 'failed' | 'corrupt' | 'final'
  /** Peer IDs the aggregator's transcript lists as contributors (coordinator only). */
  contributors?: string[]
  weightSum?: number
  /** ‖next − global‖₂ after this round. */
  updateNorm?: number
  reason?: string
}

export interface SessionView {
  sessionId: string
  status: SessionStatus
  /** Rounds done; the index of the round in progress while running. */
  round: number
  rounds: number
  parameterCount: number
  modelHash: string
  epochs: number
  clip: number
  /** Coordinator only. */
  settings?: SessionSettingsView
  history: SessionRoundView[]
}

/** A session's global model for one round, or its final model once the session has ended. */
export interface ModelView {
  sessionId: string
  round: number
  /** The fedagg round taking updates from this model; absent on the final model. */
  roundId?: string
  modelHash: string
  parameterCount: number
  rounds: number
  epochs: number
  clip: number
  status: SessionStatus
  /** True on the final model: no round takes updates from it. */
  final: boolean
  parameters: Float64Array
}

/** Training sessions on one node: what a TypeScript trainer loop and the control API's training routes drive. */
export interface TrainingApi {
  /** Coordinator only: starts a training session and opens its first round. */
  startSession (request: StartSessionRequest): Promise<SessionView>
  /** Sessions this node knows, newest first. */
  sessions (): Promise<SessionView[]>
  session (sessionId: string): Promise<SessionView | undefined>
  /** The newest model of the session (of the newest session when omitted). */
  currentModel (sessionId?: string): Promise<ModelView>
  /** The first model of a round after `afterRound`, or the session's final model. */
  waitForModel (sessionId: string | undefined, afterRound: number, options?: { signal?: AbortSignal }): Promise<ModelView>
  /** Client only: submits a trainer's update (local − global) with its weight (local sample count) for one round. */
  submitUpdate (sessionId: string, round: number, update: Float64Array, weight: number, options?: { signal?: AbortSignal }): Promise<ReceiptView>
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
  /** Training sessions; present on nodes built by createFederationNode. */
  readonly training?: TrainingApi
}

export type { Trainer, TrainerUpdate, TrainingContext } from './training/trainer.ts'
