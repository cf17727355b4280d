// Membership as a libp2p service: the coordinator serves the signed roster and a peer directory; members join, follow updates and drop removed peers.
import { KEEP_ALIVE } from '@libp2p/interface'
import type { ComponentLogger, Logger, PeerId, PeerStore, PrivateKey, Startable, TypedEventTarget, Libp2pEvents } from '@libp2p/interface'
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import pRetry from 'p-retry'
import { WIRE } from '../../protocol/messages/index.ts'
import type { Role, Roster, SignedPayload } from '../../protocol/messages/index.ts'
import { addMember, removeMember, signRoster } from '../../protocol/roster/index.ts'
import { FedaggError } from '../../protocol/errors.ts'
import { NO_EVENTS } from '../events/node-events.ts'
import type { NodeEventLevel, NodeEventName, NodeEventFields, NodeEvents } from '../events/node-events.ts'
import type { FederationGossip } from '../membership/federation-gossip.ts'
import type { Membership, RosterChange } from '../membership/membership.ts'
import { ProtocolEndpoint, deadline } from '../streams/exchange.ts'
import type { StreamLimits } from '../streams/limits.ts'
import { JOIN_RETRY_MAX_MS, JOIN_RETRY_MIN_MS, REQUEST_TIMEOUT_MS, SMALL_FRAME_BYTES } from './constants.ts'

/** A coordinator-only operation was called on a node that is not the coordinator. */
export class NotCoordinatorError extends FedaggError {
  static override name = 'NotCoordinatorError'
}

export interface MembershipServiceInit {
  membership: Membership
  gossip: FederationGossip
  /** `--join` multiaddr ending in /p2p/<coordinator>; absent on the coordinator itself. */
  joinAddress?: string
  limits: StreamLimits
  /**
   * Every this many ms, a member that has joined asks the coordinator for its open rounds: a
   * backstop for an announcement gossip did not deliver. 0 or absent: only on (re)connection and on demand.
   */
  openRoundsPollMs?: number
  /** @default NO_EVENTS */
  events?: NodeEvents
}

/**
 * Where this node stands with its federation, as the operator needs it:
 * `admitted` once the coordinator served a roster naming it, otherwise why not.
 */
export type JoinState = 'coordinator' | 'no-join-address' | 'dialling' | 'admitted' | 'not-admitted' | 'removed' | 'peer-id-mismatch' | 'unreachable'

export interface JoinStatus {
  state: JoinState
  /** One sentence for the operator: what happened and what to do. */
  detail: string
}

export interface MembershipServiceComponents {
  peerId: PeerId
  privateKey: PrivateKey
  registrar: Registrar
  connectionManager: ConnectionManager
  peerStore: PeerStore
  events: TypedEventTarget<Libp2pEvents>
  logger: ComponentLogger
}

export class MembershipService implements Startable {
  readonly #components: MembershipServiceComponents
  readonly #membership: Membership
  readonly #gossip: FederationGossip
  readonly #joinAddress: string | undefined
  readonly #endpoint: ProtocolEndpoint
  readonly #log: Logger
  readonly #events: NodeEvents
  #joinStatus: JoinStatus
  readonly #announcementListeners: Array<(signed: SignedPayload) => void> = []
  #stopping = new AbortController()
  #joined: Promise<void> = Promise.resolve()
  #stopRosterUpdates = (): void => {}
  readonly #openRoundsPollMs: number
  #openRoundsPoll: NodeJS.Timeout | undefined

  constructor (components: MembershipServiceComponents, init: MembershipServiceInit) {
    this.#components = components
    this.#membership = init.membership
    this.#gossip = init.gossip
    this.#joinAddress = init.joinAddress
    this.#openRoundsPollMs = init.openRoundsPollMs ?? 0
    this.#log = components.logger.forComponent('fedagg:membership')
    this.#endpoint = new ProtocolEndpoint(components, init.limits, this.#log)
    this.#events = init.events ?? NO_EVENTS
    this.#joinStatus = this.isCoordinator
      ? { state: 'coordinator', detail: 'this node is the federation\'s coordinator' }
      : init.joinAddress === undefined
        ? { state: 'no-join-address', detail: 'started without --join: start it with --join <coordinator multiaddr ending in /p2p/<peerId>>' }
        : { state: 'dialling', detail: `dialling the coordinator at ${init.joinAddress}` }
  }

  /** Where this node stands with its federation. */
  get joinStatus (): JoinStatus {
    return this.#joinStatus
  }

  /** Records a new join state and reports it once (retries in the same state stay quiet). */
  #setJoinStatus (level: NodeEventLevel, state: JoinState, event: NodeEventName, fields: NodeEventFields, detail: string): void {
    const changed = this.#joinStatus.state !== state || this.#joinStatus.detail !== detail
    this.#joinStatus = { state, detail }
    if (changed) this.#events.emit(level, event, fields, detail)
  }

  get isCoordinator (): boolean {
    return this.#membership.coordinator() === this.#components.peerId.toString()
  }

  async start (): Promise<void> {
    this.#stopping = new AbortController()
    this.#membership.onChange(change => { this.#onRosterChange(change) })
    if (this.#joinStatus.state === 'no-join-address') this.#events.emit('warn', 'join.no-join-address', {}, this.#joinStatus.detail)
    this.#stopRosterUpdates = this.#gossip.on('roster', signed => {
      this.#membership.apply(signed).catch(err => { this.#log('ignored roster update - %e', err) })
    })
    const handlerOptions = { timeoutMs: REQUEST_TIMEOUT_MS, maxDataLength: SMALL_FRAME_BYTES }
    await this.#endpoint.handle('roster', handlerOptions, async ({ framed, remotePeer, signal }) => {
      this.#requireCoordinatorServing(remotePeer)
      await framed.read(WIRE.RosterRequest, { signal })
      await framed.write(WIRE.SignedPayload, this.#membership.signedRoster!, { signal })
    })
    await this.#endpoint.handle('peers', handlerOptions, async ({ framed, remotePeer, signal }) => {
      this.#requireCoordinatorServing(remotePeer)
      const request = await framed.read(WIRE.PeerDirectoryRequest, { signal })
      await framed.write(WIRE.PeerDirectory, await this.#directory(request.peerIds), { signal })
    })
  }

  /** Joining runs after libp2p has started, since it dials. */
  afterStart (): void {
    if (this.#joinAddress !== undefined) {
      this.#joined = this.#join(this.#joinAddress, this.#stopping.signal).catch(err => {
        if (!this.#stopping.signal.aborted) this.#log.error('join failed - %e', err)
      })
    }
    if (this.#joinAddress !== undefined && this.#openRoundsPollMs > 0) {
      // Gossip is the fast path and the normal one; this only bounds how long a missed announcement
      // stays missed. Repeats are harmless: every role tracks an announcement once.
      this.#openRoundsPoll = setInterval(() => { this.#pollOpenRounds() }, this.#openRoundsPollMs)
      this.#openRoundsPoll.unref()
    }
  }

  #pollOpenRounds (): void {
    const coordinator = this.#membership.coordinator()
    if (this.#joinStatus.state !== 'admitted' || coordinator === undefined) return
    if (this.#components.connectionManager.getConnections(peerIdFromString(coordinator)).length === 0) return
    this.fetchOpenRounds(AbortSignal.any([this.#stopping.signal, deadline(REQUEST_TIMEOUT_MS)])).catch(err => {
      this.#log('polling the coordinator for open rounds failed - %e', err)
    })
  }

  async stop (): Promise<void> {
    clearInterval(this.#openRoundsPoll)
    this.#stopRosterUpdates()
    this.#components.events.removeEventListener('peer:connect', this.#onPeerConnect)
    this.#stopping.abort()
    await this.#joined
    await this.#endpoint.unhandle('roster')
    await this.#endpoint.unhandle('peers')
  }

  async addMember (peerId: string, roles: Role[], name = ''): Promise<Roster> {
    const roster = await this.#publishChange(current => addMember(current, { peerId, roles, name }, Date.now()))
    this.#events.emit('info', 'member.added', { peerId, roles, name, rosterVersion: roster.version }, `admitted ${peerId} as ${roles.join('+')}`)
    return roster
  }

  async removeMember (peerId: string): Promise<Roster> {
    const roster = await this.#publishChange(current => removeMember(current, peerId, Date.now()))
    this.#events.emit('info', 'member.removed', { peerId, rosterVersion: roster.version }, `removed ${peerId} from the roster`)
    return roster
  }

  /**
   * Every accepted roster version: members drop removed peers' connections,
   * and learn whether they themselves are (still) in the federation.
   */
  #onRosterChange ({ roster, removed }: RosterChange): void {
    void this.#disconnect(removed)
    const self = this.#components.peerId.toString()
    this.#events.emit('info', 'roster.updated', { peerId: roster.coordinator, rosterVersion: roster.version, members: roster.members.length },
      `roster version ${roster.version} verified against coordinator ${roster.coordinator}: ${roster.members.length} members`)
    if (this.isCoordinator) return
    if (roster.members.some(member => member.peerId === self)) {
      this.#setJoinStatus('info', 'admitted', 'join.admitted', { peerId: roster.coordinator, rosterVersion: roster.version },
        `admitted to federation ${roster.federationId} (roster version ${roster.version})`)
    } else if (removed.includes(self)) {
      this.#setJoinStatus('warn', 'removed', 'join.removed', { peerId: roster.coordinator, rosterVersion: roster.version },
        `removed from federation ${roster.federationId} by its coordinator (roster version ${roster.version})`)
    }
  }

  /** Called with every announcement fetched from the coordinator (they are verified by the listener). */
  onFetchedAnnouncement (listener: (signed: SignedPayload) => void): void {
    this.#announcementListeners.push(listener)
  }

  /**
   * Asks the coordinator for its open rounds: gossip is lossy, and a node that
   * was away (late joiner, restart) has missed announcements. Runs after every
   * join and reconnection to the coordinator, and on demand.
   */
  async fetchOpenRounds (signal: AbortSignal): Promise<SignedPayload[]> {
    const coordinator = this.#membership.coordinator()
    if (coordinator === undefined || coordinator === this.#components.peerId.toString()) return []
    const response = await this.#endpoint.request(peerIdFromString(coordinator), 'rounds',
      { signal, maxDataLength: WIRE.OpenRoundsResponse.maxDataLength }, async framed => {
        await framed.write(WIRE.OpenRoundsRequest, {}, { signal })
        return framed.read(WIRE.OpenRoundsResponse, { signal })
      })
    for (const signed of response.announcements) {
      for (const listener of this.#announcementListeners) listener(signed)
    }
    return response.announcements
  }

  /** Asks the coordinator where `peers` can be reached and records the answer in the peer store. */
  async lookup (peers: string[], signal: AbortSignal): Promise<void> {
    const coordinator = this.#membership.coordinator()
    if (coordinator === undefined || coordinator === this.#components.peerId.toString()) return
    const directory = await this.#endpoint.request(peerIdFromString(coordinator), 'peers',
      { signal, maxDataLength: WIRE.PeerDirectory.maxDataLength }, async framed => {
        await framed.write(WIRE.PeerDirectoryRequest, { peerIds: peers }, { signal })
        return framed.read(WIRE.PeerDirectory, { signal })
      })
    for (const entry of directory.peers) {
      // Only roster members are recorded; addresses are hints, since Noise authenticates whoever answers.
      if (!this.#membership.isAdmitted(entry.peerId) || entry.multiaddrs.length === 0) continue
      await this.#components.peerStore.merge(peerIdFromString(entry.peerId), {
        multiaddrs: entry.multiaddrs.map(address => multiaddr(address))
      })
    }
  }

  async #publishChange (change: (roster: Roster) => Roster): Promise<Roster> {
    const current = this.#membership.roster
    if (!this.isCoordinator || current === undefined) {
      throw new NotCoordinatorError('only the coordinator changes the roster')
    }
    const signed = await signRoster(this.#components.privateKey, change(current))
    await this.#membership.apply(signed)
    // Members that miss the gossip fetch the roster whenever they (re)connect to the coordinator.
    this.#gossip.publish('roster', signed).catch(err => { this.#log('publishing roster failed - %e', err) })
    return this.#membership.roster!
  }

  #requireCoordinatorServing (remotePeer: string): void {
    if (!this.isCoordinator || this.#membership.signedRoster === undefined) {
      throw new NotCoordinatorError('this node does not serve the roster')
    }
    this.#membership.requireMember(remotePeer, 'fetch the roster or directory')
  }

  async #directory (peerIds: string[]): Promise<{ peers: Array<{ peerId: string, multiaddrs: string[] }> }> {
    const wanted = peerIds.length === 0 ? this.#membership.roster?.members.map(member => member.peerId) ?? [] : peerIds
    const peers = []
    for (const peerId of wanted.filter(id => this.#membership.isAdmitted(id))) {
      const addresses = await this.#components.peerStore.get(peerIdFromString(peerId)).then(
        peer => peer.addresses.map(address => address.multiaddr.toString()), () => [])
      peers.push({ peerId, multiaddrs: addresses })
    }
    return { peers }
  }

  /**
   * Dials the coordinator until it has admitted us (its gater refuses us until
   * then), fetches and verifies the roster against the dialled peer ID, and
   * keeps the connection alive so gossip and later roster updates flow.
   */
  async #join (joinAddress: string, signal: AbortSignal): Promise<void> {
    const address = multiaddr(joinAddress)
    const coordinator = peerIdFromString(this.#membership.coordinator()!)
    await this.#components.peerStore.merge(coordinator, { multiaddrs: [address], tags: { [KEEP_ALIVE]: {} } })
    this.#events.emit('info', 'join.dialling', { peerId: coordinator.toString(), address: joinAddress }, `dialling the coordinator at ${joinAddress}`)
    let dialled = false
    await pRetry(async () => {
      // Whether the coordinator answered at all tells "not admitted" (it hangs up after Noise) from "unreachable".
      dialled = false
      await this.#components.connectionManager.openConnection(coordinator, { signal: AbortSignal.any([signal, deadline(REQUEST_TIMEOUT_MS)]) })
      dialled = true
      await this.#catchUp(coordinator, signal)
    }, {
      retries: Number.POSITIVE_INFINITY,
      minTimeout: JOIN_RETRY_MIN_MS,
      maxTimeout: JOIN_RETRY_MAX_MS,
      signal,
      onFailedAttempt: ({ error, attemptNumber }) => {
        this.#log('join attempt %d to %s failed - %s', attemptNumber, coordinator, error.message)
        if (!signal.aborted) this.#joinFailed(coordinator.toString(), joinAddress, error, dialled)
      }
    })
    this.#components.events.addEventListener('peer:connect', this.#onPeerConnect)
  }

  /** Says why a join attempt failed, in the operator's terms, once per distinct reason. */
  #joinFailed (coordinator: string, joinAddress: string, error: Error, dialled: boolean): void {
    const self = this.#components.peerId.toString()
    // @chainsafe/libp2p-noise: "Payload identity key <got> does not match expected remote identity key <expected>".
    const mismatch = /identity key (\S+) does not match expected remote identity key (\S+)/.exec(error.message)
    if (mismatch !== null) {
      this.#setJoinStatus('error', 'peer-id-mismatch', 'join.peer-id-mismatch', { peerId: coordinator, expected: mismatch[2], got: mismatch[1], address: joinAddress },
        `the node at ${joinAddress} is ${mismatch[1]}, not the coordinator ${mismatch[2]} that --join names: check the peer ID after /p2p/`)
    } else if (dialled) {
      this.#setJoinStatus('warn', 'not-admitted', 'join.not-admitted', { peerId: coordinator, self },
        `the coordinator ${coordinator} does not admit this node yet: send its peer ID ${self} to the coordinator's operator, who runs \`fedagg members add ${self} --role <role>\``)
    } else {
      this.#setJoinStatus('warn', 'unreachable', 'join.unreachable', { peerId: coordinator, address: joinAddress, reason: error.message },
        `cannot reach the coordinator at ${joinAddress} (${error.message}); retrying`)
    }
  }

  /** Whenever the coordinator connection comes back, catch up on what gossip may have missed. */
  readonly #onPeerConnect = (event: CustomEvent<PeerId>): void => {
    if (event.detail.toString() !== this.#membership.coordinator()) return
    this.#catchUp(event.detail, this.#stopping.signal).catch(err => { this.#log('catching up with the coordinator failed - %e', err) })
  }

  /** The roster first (it decides who may announce), then the rounds opened while we were away. */
  async #catchUp (coordinator: PeerId, signal: AbortSignal): Promise<void> {
    await this.#fetchRoster(coordinator, signal)
    await this.fetchOpenRounds(AbortSignal.any([signal, deadline(REQUEST_TIMEOUT_MS)]))
  }


  async #fetchRoster (coordinator: PeerId, signal: AbortSignal): Promise<void> {
    const request = AbortSignal.any([signal, deadline(REQUEST_TIMEOUT_MS)])
    const signed = await this.#endpoint.request(coordinator, 'roster',
      { signal: request, maxDataLength: WIRE.SignedPayload.maxDataLength }, async framed => {
        await framed.write(WIRE.RosterRequest, { knownVersion: this.#membership.version }, { signal: request })
        return framed.read(WIRE.SignedPayload, { signal: request })
      })
    await this.#membership.apply(signed)
  }

  async #disconnect (peers: string[]): Promise<void> {
    for (const peer of peers) {
      await this.#components.connectionManager.closeConnections(peerIdFromString(peer)).catch(err => {
        this.#log('closing connections to removed member %s failed - %e', peer, err)
      })
    }
  }
}

export function membershipService (init: MembershipServiceInit): (components: MembershipServiceComponents) => MembershipService {
  return components => new MembershipService(components, init)
}
