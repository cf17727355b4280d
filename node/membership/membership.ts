// This node's view of the federation roster: verified, persisted, and the source of every admission and role check.
import { FedaggError } from '../../protocol/errors.ts'
import { WIRE } from '../../protocol/messages/index.ts'
import type { Role, Roster, SignedPayload } from '../../protocol/messages/index.ts'
import { RosterMismatchError, acceptRosterUpdate, hasRole, isMember, removedMembers, verifyRoster } from '../../protocol/roster/index.ts'
import type { RosterStore } from '../store/index.ts'
import type { AdmissionPolicy } from './roster-gater.ts'
import type { RoleDirectory } from './federation-gossip.ts'

/** A remote peer asked for something its roster role does not allow. */
export class PeerNotAuthorizedError extends FedaggError {
  static override name = 'PeerNotAuthorizedError'
}

/** This node needs a roster (to check roles) but has not received one yet. */
export class NoRosterError extends FedaggError {
  static override name = 'NoRosterError'
}

export interface RosterChange {
  roster: Roster
  /** Peers that were members before this version and are not now. */
  removed: string[]
}

export interface MembershipOptions {
  self: string
  federationId: string
  store: RosterStore
  /** The coordinator a joining node dialled: trusted to sign the first roster it receives. */
  joinCoordinator?: string
}

export class Membership implements AdmissionPolicy, RoleDirectory {
  readonly self: string
  readonly federationId: string
  readonly #store: RosterStore
  readonly #joinCoordinator: string | undefined
  readonly #listeners: Array<(change: RosterChange) => void> = []
  #roster: Roster | undefined
  #signed: SignedPayload | undefined

  constructor (options: MembershipOptions) {
    this.self = options.self
    this.federationId = options.federationId
    this.#store = options.store
    this.#joinCoordinator = options.joinCoordinator
  }

  /** Restores the last accepted roster from the store, re-verifying its signature. */
  async load (): Promise<void> {
    const stored = this.#store.latest()
    if (stored === undefined) return
    const signed = WIRE.SignedPayload.decode(stored.signedRoster)
    this.#roster = await verifyRoster(signed)
    this.#signed = signed
  }

  get roster (): Roster | undefined { return this.#roster }
  get signedRoster (): SignedPayload | undefined { return this.#signed }
  get version (): number { return this.#roster?.version ?? 0 }

  coordinator (): string | undefined {
    return this.#roster?.coordinator ?? this.#joinCoordinator
  }

  isAdmitted (peerId: string): boolean {
    if (peerId === this.coordinator()) return true
    return this.#roster !== undefined && isMember(this.#roster, peerId)
  }

  hasRole (peerId: string, role: Role): boolean {
    return this.#roster !== undefined && hasRole(this.#roster, peerId, role)
  }

  /** Throws PeerNotAuthorizedError unless `peerId` holds `role`; `action` names what was attempted. */
  requireRole (peerId: string, role: Role, action: string): void {
    if (this.#roster === undefined) throw new NoRosterError(`${action}: this node has no roster yet`)
    if (!this.hasRole(peerId, role)) {
      throw new PeerNotAuthorizedError(`${action}: expected a roster ${role}, got ${peerId}`)
    }
  }

  /** Throws PeerNotAuthorizedError unless `peerId` is admitted (a roster member, or the coordinator). */
  requireMember (peerId: string, action: string): void {
    if (!this.isAdmitted(peerId)) throw new PeerNotAuthorizedError(`${action}: expected a roster member, got ${peerId}`)
  }

  onChange (listener: (change: RosterChange) => void): void {
    this.#listeners.push(listener)
  }

  /**
   * Verifies a signed roster against the coordinator we trust (the current
   * roster's, or the one we joined through), checks it is a newer version of
   * the same federation, persists it, then tells listeners who was removed.
   * Returns false for a version we already hold (gossip repeats are normal).
   */
  async apply (signed: SignedPayload): Promise<boolean> {
    const incoming = await verifyRoster(signed, this.coordinator())
    if (incoming.federationId !== this.federationId) {
      throw new RosterMismatchError(`roster: expected federation ${this.federationId}, got ${incoming.federationId}`)
    }
    const previous = this.#roster
    if (previous !== undefined) {
      if (incoming.version === previous.version) return false
      acceptRosterUpdate(previous, incoming)
    }
    this.#store.save(incoming.version, WIRE.SignedPayload.encode(signed))
    this.#roster = incoming
    this.#signed = signed
    const removed = previous === undefined ? [] : removedMembers(previous, incoming)
    for (const listener of this.#listeners) listener({ roster: incoming, removed })
    return true
  }
}
