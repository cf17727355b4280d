// Signed rosters: the coordinator signs each version; peers verify it and accept only newer versions.
import { DOMAINS, WIRE } from '../messages/index.ts'
import { defineSignedDocument } from '../signing/index.ts'
import { RosterMismatchError, StaleRosterError } from './errors.ts'
import { validateRoster } from './roster.ts'
import type { Roster, SignedPayload } from '../messages/index.ts'
import type { PeerId, PrivateKey } from '@libp2p/interface'

/** Rosters are signed under 'fedagg/roster/1' by the coordinator they name, and by nobody else. */
const rosterDocument = defineSignedDocument({ domain: DOMAINS.roster, codec: WIRE.Roster, validate: validateRoster, signerOf: roster => roster.coordinator })

/** Signs a valid roster; the key must be the roster's coordinator's (UnexpectedSignerError otherwise). */
export async function signRoster (privateKey: PrivateKey, roster: Roster): Promise<SignedPayload> {
  return rosterDocument.sign(privateKey, roster)
}

/**
 * Verifies and validates a signed roster. The signer must be the roster's own coordinator and,
 * when given, `expectedCoordinator`: a joining node passes the peer ID it dialled (from --join),
 * a member passes the coordinator of the roster it already holds.
 */
export async function verifyRoster (signed: SignedPayload, expectedCoordinator?: PeerId | string): Promise<Roster> {
  return rosterDocument.verify(signed, expectedCoordinator)
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
