// The federation roster as pure data: validation, versioned edits (each yields version v+1) and role queries.
import { multiaddr } from '@multiformats/multiaddr'
import { assertFederationId, isRole, ROLES } from '../messages/index.ts'
import { parsePeerId, peerIdString } from '../signing/peer-id.ts'
import { CannotRemoveCoordinatorError, DuplicateMemberError, InvalidRoleError, InvalidRosterError, UnknownMemberError } from './errors.ts'
import type { Role, Roster, RosterMember } from '../messages/index.ts'
import type { PeerId } from '@libp2p/interface'

/** Most members a roster may list; the same ceiling fedagg.proto compiles into the decoder. */
export const MAX_ROSTER_MEMBERS = 10_000
/** Most bootstrap multiaddrs (fedagg.proto ceiling). */
export const MAX_BOOTSTRAP_ADDRS = 64
/** Longest bootstrap multiaddr string; real ones with /dns4/.../p2p/<id> stay under 200. */
export const MAX_MULTIADDR_LENGTH = 512
/** Longest display name, in UTF-16 code units; names appear in CLI tables and logs. */
export const MAX_MEMBER_NAME_LENGTH = 128

// Control characters would let a display name rewrite a terminal line or forge log entries.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/

/** What an operator supplies to admit a member. */
export interface MemberInit {
  peerId: string
  name?: string
  roles: readonly string[]
}

export interface GenesisRosterInit {
  federationId: string
  /** The coordinator's peer ID. */
  coordinator: string
  coordinatorName?: string
  /** Roles the coordinator holds besides 'coordinator' (e.g. 'client'); 'coordinator' is always added. */
  coordinatorRoles?: readonly string[]
  bootstrap?: readonly string[]
  issuedAtMs: number
}

/**
 * Roles in canonical order (the order of ROLES), so two rosters granting the same roles encode
 * identically. Throws InvalidRoleError for unknown, repeated or missing roles, and for
 * coordinator with aggregator on one peer: the aggregator holds every individual ciphertext and the
 * coordinator the key that decrypts them, so one node holding both would read each client's
 * values, the one collusion the threat model rules out.
 */
export function normalizeRoles (roles: readonly string[], field = 'roles'): Role[] {
  if (roles.length === 0) {
    throw new InvalidRoleError(`${field}: expected at least one of ${ROLES.join(', ')}, got none`)
  }
  for (const role of roles) {
    if (!isRole(role)) {
      throw new InvalidRoleError(`${field}: expected one of ${ROLES.join(', ')}, got ${JSON.stringify(role.slice(0, 40))}`)
    }
  }
  if (new Set(roles).size !== roles.length) {
    throw new InvalidRoleError(`${field}: expected each role once, got ${roles.join(', ')}`)
  }
  if (roles.includes('coordinator') && roles.includes('aggregator')) {
    throw new InvalidRoleError(`${field}: expected the coordinator and the aggregator on different peers, got both roles on one`)
  }
  return ROLES.filter(role => roles.includes(role))
}

function assertMemberName (name: string, field: string): void {
  if (name.length > MAX_MEMBER_NAME_LENGTH || CONTROL_CHARACTERS.test(name)) {
    throw new InvalidRosterError(`${field}: expected at most ${MAX_MEMBER_NAME_LENGTH} characters without control characters, got ${JSON.stringify(name.slice(0, 40))} (${name.length} characters)`)
  }
}

function assertSafeCount (value: number, min: number, field: string): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new InvalidRosterError(`${field}: expected an integer >= ${min} and <= ${Number.MAX_SAFE_INTEGER}, got ${value}`)
  }
}

function assertBootstrap (bootstrap: readonly string[]): void {
  if (bootstrap.length > MAX_BOOTSTRAP_ADDRS) {
    throw new InvalidRosterError(`bootstrap: expected at most ${MAX_BOOTSTRAP_ADDRS} addresses, got ${bootstrap.length}`)
  }
  bootstrap.forEach((addr, i) => {
    if (addr.length > MAX_MULTIADDR_LENGTH) {
      throw new InvalidRosterError(`bootstrap[${i}]: expected a multiaddr of at most ${MAX_MULTIADDR_LENGTH} characters, got ${addr.length}`)
    }
    try {
      multiaddr(addr)
    } catch (err) {
      throw new InvalidRosterError(`bootstrap[${i}]: expected a multiaddr such as /dns4/host/tcp/4001/p2p/<peerId>, got ${JSON.stringify(addr.slice(0, 80))}`, { cause: err })
    }
  })
}

function checkMember (member: RosterMember, coordinator: string, field: string): void {
  parsePeerId(member.peerId, `${field}.peerId`)
  assertMemberName(member.name, `${field}.name`)
  const roles = normalizeRoles(member.roles, `${field}.roles`)
  if (roles.join() !== member.roles.join()) {
    throw new InvalidRosterError(`${field}.roles: expected canonical order ${roles.join(', ')}, got ${member.roles.join(', ')}`)
  }
  const isCoordinator = member.peerId === coordinator
  if (roles.includes('coordinator') !== isCoordinator) {
    throw isCoordinator
      ? new CannotRemoveCoordinatorError(`${field}: the coordinator ${coordinator} must hold the coordinator role, got ${roles.join(', ')}`)
      : new InvalidRoleError(`${field}.roles: only the roster's coordinator ${coordinator} may hold the coordinator role, got it on ${member.peerId}`)
  }
}

/**
 * Checks every rule a received roster must satisfy and returns it unchanged. Throws
 * InvalidRosterError, InvalidPeerIdError, InvalidFederationIdError, DuplicateMemberError,
 * InvalidRoleError or CannotRemoveCoordinatorError naming the offending field.
 */
export function validateRoster (roster: Roster): Roster {
  assertFederationId(roster.federationId)
  assertSafeCount(roster.version, 1, 'version')
  assertSafeCount(roster.issuedAtMs, 0, 'issuedAtMs')
  parsePeerId(roster.coordinator, 'coordinator')
  if (roster.members.length > MAX_ROSTER_MEMBERS) {
    throw new InvalidRosterError(`members: expected at most ${MAX_ROSTER_MEMBERS}, got ${roster.members.length}`)
  }
  const seen = new Set<string>()
  roster.members.forEach((member, i) => {
    checkMember(member, roster.coordinator, `members[${i}]`)
    if (seen.has(member.peerId)) {
      throw new DuplicateMemberError(`members[${i}]: expected each peer once, got ${member.peerId} again`)
    }
    seen.add(member.peerId)
  })
  if (!seen.has(roster.coordinator)) {
    throw new InvalidRosterError(`members: expected an entry for the coordinator ${roster.coordinator}, got none`)
  }
  assertBootstrap(roster.bootstrap)
  return roster
}

/** Version 1 of a federation's roster: the coordinator alone. */
export function createGenesisRoster (init: GenesisRosterInit): Roster {
  return validateRoster({
    federationId: init.federationId,
    version: 1,
    coordinator: init.coordinator,
    members: [{
      peerId: init.coordinator,
      name: init.coordinatorName ?? '',
      roles: normalizeRoles(['coordinator', ...(init.coordinatorRoles ?? []).filter(role => role !== 'coordinator')], 'coordinatorRoles')
    }],
    bootstrap: [...(init.bootstrap ?? [])],
    issuedAtMs: init.issuedAtMs
  })
}

/** The next version: same federation and coordinator, new content, validated as a whole. */
function nextVersion (roster: Roster, change: Pick<Roster, 'members' | 'bootstrap'>, issuedAtMs: number): Roster {
  return validateRoster({ ...roster, ...change, version: roster.version + 1, issuedAtMs })
}

function indexOfMember (roster: Roster, peerId: string): number {
  const index = roster.members.findIndex(member => member.peerId === peerId)
  if (index < 0) {
    throw new UnknownMemberError(`expected a member of federation ${roster.federationId} (roster v${roster.version}), got ${peerId}`)
  }
  return index
}

/** Admits a member (version v+1). Throws DuplicateMemberError if already present. */
export function addMember (roster: Roster, member: MemberInit, issuedAtMs: number): Roster {
  const peerId = parsePeerId(member.peerId, 'member').toString()
  if (roster.members.some(existing => existing.peerId === peerId)) {
    throw new DuplicateMemberError(`member: ${peerId} is already in roster v${roster.version}`)
  }
  const added: RosterMember = { peerId, name: member.name ?? '', roles: normalizeRoles(member.roles) }
  return nextVersion(roster, { members: [...roster.members, added], bootstrap: roster.bootstrap }, issuedAtMs)
}

/** Removes a member (version v+1). The coordinator cannot be removed. */
export function removeMember (roster: Roster, peer: PeerId | string, issuedAtMs: number): Roster {
  const peerId = peerIdString(peer, 'member')
  if (peerId === roster.coordinator) {
    throw new CannotRemoveCoordinatorError(`member: ${peerId} is the coordinator of ${roster.federationId}; a federation cannot remove its coordinator`)
  }
  const index = indexOfMember(roster, peerId)
  return nextVersion(roster, { members: roster.members.filter((_, i) => i !== index), bootstrap: roster.bootstrap }, issuedAtMs)
}

/** Replaces a member's roles (version v+1). The coordinator keeps 'coordinator'; nobody else may get it. */
export function setRoles (roster: Roster, peer: PeerId | string, roles: readonly string[], issuedAtMs: number): Roster {
  const peerId = peerIdString(peer, 'member')
  const index = indexOfMember(roster, peerId)
  const normalized = normalizeRoles(roles)
  const members = roster.members.map((member, i) => i === index ? { ...member, roles: normalized } : member)
  return nextVersion(roster, { members, bootstrap: roster.bootstrap }, issuedAtMs)
}

/** Replaces the bootstrap multiaddrs (version v+1), e.g. when the coordinator's address changes. */
export function setBootstrap (roster: Roster, bootstrap: readonly string[], issuedAtMs: number): Roster {
  return nextVersion(roster, { members: roster.members, bootstrap: [...bootstrap] }, issuedAtMs)
}

/** The member entry of `peer`, or undefined when it is not in the roster. */
export function memberOf (roster: Roster, peer: PeerId | string): RosterMember | undefined {
  const peerId = peer.toString()
  return roster.members.find(member => member.peerId === peerId)
}

/** Roles of `peer`; empty for non-members. */
export function rolesOf (roster: Roster, peer: PeerId | string): Role[] {
  return (memberOf(roster, peer)?.roles ?? []).filter(isRole)
}

export function isMember (roster: Roster, peer: PeerId | string): boolean {
  return memberOf(roster, peer) !== undefined
}

export function hasRole (roster: Roster, peer: PeerId | string, role: Role): boolean {
  return rolesOf(roster, peer).includes(role)
}

/** Peer IDs holding `role`, in roster order. */
export function membersWithRole (roster: Roster, role: Role): string[] {
  return roster.members.filter(member => member.roles.includes(role)).map(member => member.peerId)
}

export function clients (roster: Roster): string[] {
  return membersWithRole(roster, 'client')
}

export function aggregators (roster: Roster): string[] {
  return membersWithRole(roster, 'aggregator')
}

/** Peers in `previous` but not in `next`: the connections a node drops after an update. */
export function removedMembers (previous: Roster, next: Roster): string[] {
  const kept = new Set(next.members.map(member => member.peerId))
  return previous.members.map(member => member.peerId).filter(peerId => !kept.has(peerId))
}
