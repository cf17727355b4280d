// Signed rosters: the coordinator signs each version; peers verify it and accept only newer versions.
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { DOMAINS, WIRE } from '../messages/index.ts'
import { openSignedMessage, signMessage, UnexpectedSignerError } from '../signing/index.ts'
import { RosterMismatchError, StaleRosterError } from './errors.ts'
import { validateRoster } from './roster.ts'
import type { Roster, SignedPayload } from '../messages/index.ts'
import type { PeerId, PrivateKey } from '@libp2p/interface'

/** Signs a roster (domain 'fedagg/roster/1'); the key must be the roster's coordinator's. */
export async function signRoster (privateKey: PrivateKey, roster: Roster): Promise<SignedPayload> {
  validateRoster(roster)
  const signer = peerIdFromPrivateKey(privateKey).toString()
  if (signer !== roster.coordinator) {
    throw new UnexpectedSignerError(`roster v${roster.version}: expected to be signed by its coordinator ${roster.coordinator}, got key of ${signer}`)
  }
  return signMessage(privateKey, DOMAINS.roster, WIRE.Roster, roster)
}

/**
 * Verifies and validates a signed roster. The signer must be the roster's own coordinator and,
 * when given, `expectedCoordinator`: a joining node passes the peer ID it dialled (from --join),
 * a member passes the coordinator of the roster it already holds.
 */
export async function verifyRoster (signed: SignedPayload, expectedCoordinator?: PeerId | string): Promise<Roster> {
  const roster = validateRoster(await openSignedMessage(signed, DOMAINS.roster, WIRE.Roster, expectedCoordinator))
  if (roster.coordinator !== signed.signer) {
    throw new UnexpectedSignerError(`roster v${roster.version}: expected to be signed by its coordinator ${roster.coordinator}, got a signature by ${signed.signer}`)
  }
  return roster
}

/**
 * Decides whether `incoming` replaces `current`: same federation, same coordinator, strictly
 * higher version (a replayed or older roster could re-admit a removed member). Returns incoming.
 */
export function acceptRosterUpdate (current: Roster, incoming: Roster): Roster {
  if (incoming.federationId !== current.federationId) {
    throw new RosterMismatchError(`roster update: expected federation ${current.federationId}, got ${incoming.federationId}`)
  }
  if (incoming.coordinator !== current.coordinator) {
    throw new RosterMismatchError(`roster update: expected coordinator ${current.coordinator}, got ${incoming.coordinator}`)
  }
  if (incoming.version <= current.version) {
    throw new StaleRosterError(`roster update: expected a version above ${current.version}, got ${incoming.version}`)
  }
  return incoming
}

/** verifyRoster against the current coordinator, then acceptRosterUpdate: the path for a gossiped or fetched update. */
export async function verifyRosterUpdate (current: Roster, signed: SignedPayload): Promise<Roster> {
  return acceptRosterUpdate(current, await verifyRoster(signed, current.coordinator))
}
