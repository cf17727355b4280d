// Peer ID strings from the wire: parsed, required to be Ed25519 and in canonical form.
import { peerIdFromString } from '@libp2p/peer-id'
import { InvalidPeerIdError } from './errors.ts'
import type { Ed25519PeerId, PeerId } from '@libp2p/interface'

/**
 * Longest string we hand to the parser. A canonical Ed25519 peer ID is 52 base58 characters;
 * CID spellings run to ~65; anything longer is junk refused before parsing.
 */
export const MAX_PEER_ID_LENGTH = 128

/**
 * Parses an Ed25519 peer ID (12D3KooW...). Two rules beyond parsing:
 * - Ed25519 only: its public key is embedded in the ID, so signatures verify with no key
 *   distribution (RSA IDs are hashes of the key).
 * - canonical base58btc only: peerIdFromString also accepts CID forms (bafz...), and a roster or
 *   eligibility list keyed by strings must not see one peer under two spellings.
 * `field` names the value in the error message.
 */
export function parsePeerId (value: string, field = 'peer ID'): Ed25519PeerId {
  const shown = JSON.stringify(value.slice(0, MAX_PEER_ID_LENGTH + 8))
  if (value.length === 0 || value.length > MAX_PEER_ID_LENGTH) {
    throw new InvalidPeerIdError(`${field}: expected a base58btc Ed25519 peer ID of at most ${MAX_PEER_ID_LENGTH} characters, got ${value.length} characters ${shown}`)
  }
  let peerId: PeerId
  try {
    peerId = peerIdFromString(value)
  } catch (err) {
    throw new InvalidPeerIdError(`${field}: expected a base58btc Ed25519 peer ID, got ${shown}`, { cause: err })
  }
  if (peerId.type !== 'Ed25519') {
    throw new InvalidPeerIdError(`${field}: expected an Ed25519 peer ID, got a ${peerId.type} one ${shown}`)
  }
  if (peerId.toString() !== value) {
    throw new InvalidPeerIdError(`${field}: expected the canonical form ${peerId.toString()}, got ${shown}`)
  }
  return peerId
}

/** The canonical string of a peer given as PeerId or string (strings are validated). */
export function peerIdString (peer: PeerId | string, field = 'peer ID'): string {
  return typeof peer === 'string' ? parsePeerId(peer, field).toString() : peer.toString()
}
