// The FederationNode a program drives: lifecycle, and views of roster, rounds, results and receipts.
import { setMaxListeners } from 'node:events'
import { logger } from '@libp2p/logger'
import { FedaggError } from '../protocol/errors.ts'
import { ROUND_STATUSES, observedRoundStatus } from '../protocol/round/index.ts'
import type { AnnouncedRound, RoundObservation, RoundOutcome, RoundStatus } from '../protocol/round/index.ts'
import { WIRE } from '../protocol/messages/index.ts'
import type { Receipt, Roster, RoundResult, TranscriptStatus } from '../protocol/messages/index.ts'
import type { VectorDecryptor } from './crypto/vector-decryptor.ts'
import type { VectorEncryptor } from './crypto/vector-encryptor.ts'
import type { FedaggConfig } from '../config/index.ts'
import { peerIdFromString } from '@libp2p/peer-id'
import type {
  FederationLinkView, FederationNode, NodeStatus, OpenRoundRequest, ReceiptView, Role, RosterView, RoundResultView, RoundView, TrainingApi
} from './api.ts'
import type { PeerId } from '@libp2p/interface'
import type { PeerConnections } from './control/status-view.ts'
import type { FedaggHost } from './host.ts'
import type { FederationGossip } from './membership/federation-gossip.ts'
import type { Membership } from './membership/membership.ts'
import type { FedaggMetrics } from './metrics/metrics.ts'
import type { RoundRecord, Store } from './store/index.ts'
import type { AggregatorService } from './services/aggregator.ts'
import type { ClientService } from './services/client.ts'
import type { CoordinatorService } from './services/coordinator.ts'
import type { KeyProofs } from './services/key-proof.ts'
import type { MembershipService } from './services/membership-service.ts'
import type { TrainingService } from './training/training-service.ts'

const log = logger('fedagg:node')

/** Gossiped results a node other than the coordinator keeps in memory: the newest; the oldest goes first. */
const GOSSIPED_RESULTS_KEPT = 16

/** A result this node saw but no longer holds (it keeps the newest GOSSIPED_RESULTS_KEPT); the coordinator has it. */
export class ResultNotHeldError extends FedaggError {
  static override name = 'ResultNotHeldError'
}

/** A role-specific call on a node that does not hold that role. */
export class RoleNotHeldError extends FedaggError {
  static override name = 'RoleNotHeldError'
}

// A type alias, not an interface: libp2p's ServiceMap constraint needs an index-signature-compatible type.
export type RoleServices = {
  membership: MembershipService
  keyProofs: KeyProofs
  training: TrainingService
  coordinator?: CoordinatorService
  aggregator?: AggregatorService
  client?: ClientService
}

export interface RunningNodeParts {
  config: FedaggConfig
  self: string
  host: FedaggHost<RoleServices>
  membership: Membership
  gossip: FederationGossip
  store: Store
  metrics: FedaggMetrics
  /** The client's and the aggregator's encryption paths (noise pools, leases on the process's worker pool). */
  encryptors: readonly VectorEncryptor[]
  /** The coordinator's decryption (its worker pool holds the private key), closed once the coordinator has stopped. */
  decryptor?: VectorDecryptor
}

export class RunningNode implements FederationNode {
  readonly peerId: string
  readonly metrics: FedaggMetrics
  readonly #parts: RunningNodeParts
  /**
   * Results other nodes learn from the coordinator's gossip (the coordinator reads its store): the
   * newest GOSSIPED_RESULTS_KEPT, as encoded bytes, decoded when asked for. Decoded, a result of
   * 100,000 values is 100,000 strings (~11 MB of heap against ~1.4 MB of bytes), and a training
   * session of many rounds would otherwise keep every one for the node's life.
   */
  readonly #gossipedResults = new Map<string, Uint8Array>()
  /** The outcome of every round whose result this node saw, for its round views (a few bytes each). */
  readonly #gossipedOutcomes = new Map<string, RoundResult['status']>()
  /** Transcripts seen on gossip, so every role can report a round released or failed by its aggregator. */
  readonly #gossipedTranscripts = new Map<string, { aggregator: string, status: TranscriptStatus }>()
  readonly #resultEvents = new EventTarget()
  #stopResults = (): void => {}
  #stopTranscripts = (): void => {}

  constructor (parts: RunningNodeParts) {
    this.#parts = parts
    this.peerId = parts.self
    this.metrics = parts.metrics
    setMaxListeners(Infinity, this.#resultEvents)
  }

  /** Where this node keeps its identity, keys and node.db. */
  get dataDir (): string { return this.#parts.config.dataDir }

  /** The underlying libp2p host, for programs that add protocols of their own or inspect connections. */
  get libp2p (): FedaggHost<RoleServices> { return this.#parts.host }

  /** Who this node is connected to, for the status page's members table. */
  get peerConnections (): PeerConnections {
    const host = this.#parts.host
    return {
      connected: () => [...new Set(host.getConnections().map(connection => connection.remotePeer.toString()))],
      onDisconnect: (listener) => {
        const handler = (event: CustomEvent<PeerId>): void => { listener(event.detail.toString()) }
        host.addEventListener('peer:disconnect', handler)
        return () => { host.removeEventListener('peer:disconnect', handler) }
      }
    }
  }

  get #services (): RoleServices { return this.#parts.host.services }

  /** Training sessions: start one (coordinator), read models, wait for the next, submit updates (client). */
  get training (): TrainingApi {
    const training = this.#services.training
    return {
      startSession: async request => training.startSession(request),
      sessions: async () => training.sessions(),
      session: async sessionId => training.session(sessionId),
      currentModel: async sessionId => training.currentModel(sessionId),
      waitForModel: async (sessionId, afterRound, options = {}) =>
        training.waitForModel(sessionId, afterRound, options.signal ?? new AbortController().signal),
      submitUpdate: async (sessionId, round, update, weight, options = {}) =>
        receiptView(await training.submitUpdate(sessionId, round, update, weight, options.signal))
    }
  }

  async start (): Promise<void> {
    const { host, gossip, metrics } = this.#parts
    this.#stopResults = gossip.on('result', signed => {
      // The gossip validator has checked the coordinator's signature before delivery.
      const result = WIRE.RoundResult.decode(signed.payload)
      // A copy: the payload is a view into the whole gossip message, which it would keep alive.
      this.#gossipedResults.set(result.roundId, signed.payload.slice())
      this.#gossipedOutcomes.set(result.roundId, result.status)
      for (const roundId of this.#gossipedResults.keys()) {
        if (this.#gossipedResults.size <= GOSSIPED_RESULTS_KEPT) break
        this.#gossipedResults.delete(roundId)
      }
      this.#resultEvents.dispatchEvent(new Event(result.roundId))
    })
    this.#stopTranscripts = gossip.on('transcript', signed => {
      // The gossip validator has checked that a roster aggregator signed it; roundView checks it is the round's.
      const transcript = WIRE.Transcript.decode(signed.payload)
      this.#gossipedTranscripts.set(transcript.roundId, { aggregator: transcript.aggregator, status: transcript.status as TranscriptStatus })
    })
    this.#services.coordinator?.onResult(roundId => this.#resultEvents.dispatchEvent(new Event(roundId)))
    // Rounds announced while this node was away come back from the coordinator on every (re)join.
    const { aggregator, client } = this.#services
    const skipped = (err: Error): void => { log('skipped a fetched announcement - %e', err) }
    this.#services.membership.onFetchedAnnouncement(signed => {
      aggregator?.track(signed).catch(skipped)
      client?.track(signed).catch(skipped)
    })
    metrics.observeConnectedPeers(() => host.getConnections().length)
    metrics.observeRounds(async () => this.rounds())
    await host.start()
    gossip.start()
  }

  async stop (): Promise<void> {
    const { host, gossip, store, encryptors, decryptor } = this.#parts
    this.#stopResults()
    this.#stopTranscripts()
    if (host.status === 'started') gossip.stop()
    // Stopping the host stops the coordinator, which abandons any decryption under way; only then
    // is the decryption pool destroyed, so no round is decided by a pool torn away beneath it.
    await host.stop()
    const closed = await Promise.allSettled([...encryptors.map(async encryptor => encryptor.close()), decryptor?.close()])
    store.close()
    const failed = closed.find(outcome => outcome.status === 'rejected')
    if (failed !== undefined) throw failed.reason
  }

  multiaddrs (): string[] {
    return this.#parts.host.getMultiaddrs().map(address => address.toString())
  }

  async status (): Promise<NodeStatus> {
    const { config, host, membership } = this.#parts
    return {
      peerId: this.peerId,
      federationId: config.federationId,
      federation: this.#federationLink(),
      roles: [...config.roles],
      multiaddrs: this.multiaddrs(),
      connections: host.getConnections().length,
      rosterVersion: membership.version,
      rounds: await this.rounds()
    }
  }

  /** Admitted is not enough: the coordinator's connection carries gossip and catch-ups, so it must be up too. */
  #federationLink (): FederationLinkView {
    const { state, detail } = this.#services.membership.joinStatus
    if (state === 'coordinator') return { connected: true, state, detail }
    const coordinator = this.#parts.membership.coordinator()
    if (state !== 'admitted' || coordinator === undefined) return { connected: false, state, detail }
    if (this.#parts.host.getConnections(peerIdFromString(coordinator)).length > 0) return { connected: true, state, detail }
    return { connected: false, state, detail: `admitted, but not connected to the coordinator ${coordinator} right now; reconnecting` }
  }

  roster (): RosterView | undefined {
    const roster = this.#parts.membership.roster
    return roster === undefined ? undefined : rosterView(roster)
  }

  async addMember (peerId: string, roles: Role[], name?: string): Promise<RosterView> {
    return rosterView(await this.#services.membership.addMember(peerId, roles, name))
  }

  async removeMember (peerId: string): Promise<RosterView> {
    return rosterView(await this.#services.membership.removeMember(peerId))
  }

  async openRound (request: OpenRoundRequest): Promise<RoundView> {
    const round = await this.#require('coordinator').openRound(request)
    return roundView(round, this.#observedStatus(round, 'open'))
  }

  async cancelRound (roundId: string, reason: string): Promise<RoundView> {
    await this.#require('coordinator').cancelRound(roundId, reason)
    return await this.round(roundId) as RoundView
  }

  async rounds (): Promise<RoundView[]> {
    const { store } = this.#parts
    const views = new Map<string, RoundView>()
    for (const status of ROUND_STATUSES) {
      for (const record of store.rounds.listByStatus(status)) views.set(record.roundId, this.#storedRoundView(record))
    }
    for (const round of this.#services.client?.knownRounds() ?? []) {
      const roundId = round.announcement.roundId
      if (!views.has(roundId)) views.set(roundId, roundView(round, this.#observedStatus(round, 'open')))
    }
    const client = this.#services.client
    return [...views.values()]
      .map(view => {
        const counted = client?.wasCounted(view.roundId)
        const alarm = client?.alarm(view.roundId)
        return { ...view, ...(counted === undefined ? {} : { counted }), ...(alarm === undefined ? {} : { alarm }) }
      })
      .sort((a, b) => b.openedAtMs - a.openedAtMs)
  }

  async round (roundId: string): Promise<RoundView | undefined> {
    return (await this.rounds()).find(round => round.roundId === roundId)
  }

  async result (roundId: string): Promise<RoundResultView | undefined> {
    const stored = this.#parts.store.results.get(roundId)
    const gossiped = this.#gossipedResults.get(roundId)
    if (stored === undefined && gossiped === undefined && this.#gossipedOutcomes.has(roundId)) {
      throw new ResultNotHeldError(`round ${roundId} was ${this.#gossipedOutcomes.get(roundId)}, but this node keeps only the newest ${GOSSIPED_RESULTS_KEPT} results: ask the coordinator`)
    }
    const result = stored === undefined
      ? (gossiped === undefined ? undefined : WIRE.RoundResult.decode(gossiped))
      : WIRE.RoundResult.decode(WIRE.SignedPayload.decode(stored.resultMessage).payload)
    return result === undefined ? undefined : resultView(result)
  }

  async waitForResult (roundId: string, options: { signal?: AbortSignal } = {}): Promise<RoundResultView> {
    for (;;) {
      const result = await this.result(roundId)
      if (result !== undefined) return result
      options.signal?.throwIfAborted()
      await new Promise<void>((resolve, reject) => {
        const done = (): void => {
          this.#resultEvents.removeEventListener(roundId, done)
          options.signal?.removeEventListener('abort', done)
          if (options.signal?.aborted === true) reject(options.signal.reason)
          else resolve()
        }
        this.#resultEvents.addEventListener(roundId, done)
        options.signal?.addEventListener('abort', done)
      })
    }
  }

  async submit (values: readonly number[], options: { roundId?: string, weight?: number, signal?: AbortSignal } = {}): Promise<ReceiptView> {
    return receiptView(await this.#require('client').submit(values, options))
  }

  #require<R extends 'coordinator' | 'client'> (role: R): NonNullable<RoleServices[R]> {
    const service = this.#services[role]
    if (service === undefined) throw new RoleNotHeldError(`this node is not a ${role}`)
    return service as NonNullable<RoleServices[R]>
  }

  /** The round's status in the shared vocabulary: this node's own record, raised by what it saw of the other roles. */
  #observedStatus (round: AnnouncedRound, recorded: RoundStatus): RoundStatus {
    const { roundId, aggregator, deadlineMs } = round.announcement
    const observation: RoundObservation = { recorded, deadlineMs, nowMs: Date.now() }
    const transcript = this.#gossipedTranscripts.get(roundId)
    if (transcript !== undefined && transcript.aggregator === aggregator) observation.transcript = transcript.status
    const outcome = this.#gossipedOutcomes.get(roundId)
    if (outcome !== undefined) observation.result = outcome as RoundOutcome
    return observedRoundStatus(observation)
  }

  #storedRoundView (record: RoundRecord): RoundView {
    const round = this.#parts.store.rounds.announced(record.roundId)
    const view = roundView(round, this.#observedStatus(round, record.status))
    const contributors = this.#parts.store.submissions.count(record.roundId)
    const { bytes, lastAcceptedAtMs } = this.#parts.store.submissions.totals(record.roundId)
    return {
      ...view,
      ...(contributors > 0 ? { contributors, bytes } : {}),
      ...(lastAcceptedAtMs === undefined ? {} : { lastContributionAtMs: lastAcceptedAtMs }),
      ...(record.statusReason === undefined ? {} : { reason: record.statusReason })
    }
  }
}

function rosterView (roster: Roster): RosterView {
  return {
    federationId: roster.federationId,
    version: roster.version,
    coordinator: roster.coordinator,
    members: roster.members.map(member => ({ peerId: member.peerId, name: member.name, roles: member.roles as Role[] }))
  }
}

function roundView (round: AnnouncedRound, status: RoundStatus): RoundView {
  const { announcement } = round
  return {
    roundId: announcement.roundId,
    status,
    aggregator: announcement.aggregator,
    encoding: announcement.spec?.encoding ?? '',
    length: round.spec.length,
    minParticipants: announcement.minParticipants,
    eligible: [...announcement.eligible],
    deadlineMs: announcement.deadlineMs,
    openedAtMs: announcement.openedAtMs,
    keyFingerprint: round.publicKey.fingerprint
  }
}

function resultView (result: RoundResult): RoundResultView {
  return {
    roundId: result.roundId,
    status: result.status as RoundResultView['status'],
    contributors: result.contributors,
    sum: [...result.sum],
    mean: [...result.mean],
    ...(result.reason === '' ? {} : { reason: result.reason }),
    decryptedAtMs: result.decryptedAtMs
  }
}

function receiptView (receipt: Receipt): ReceiptView {
  return {
    roundId: receipt.roundId,
    client: receipt.client,
    aggregator: receipt.aggregator,
    digest: Buffer.from(receipt.digest).toString('hex'),
    index: receipt.index,
    acceptedAtMs: receipt.acceptedAtMs
  }
}
