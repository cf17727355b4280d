// Connection gater that admits only peers the current roster names (plus the coordinator a joiner dials).
import type { ConnectionGater, PeerId } from '@libp2p/interface'

/** Answers whether a peer may hold a connection to this node right now. */
export interface AdmissionPolicy {
  isAdmitted (peerId: string): boolean
}

/**
 * Checks happen after the Noise handshake (the "encrypted" hooks), because only
 * then is the remote peer ID authenticated; earlier hooks see only addresses.
 */
export function rosterGater (policy: AdmissionPolicy): ConnectionGater {
  const deny = (peerId: PeerId): boolean => !policy.isAdmitted(peerId.toString())
  return {
    denyDialPeer: deny,
    denyInboundEncryptedConnection: deny,
    denyOutboundEncryptedConnection: deny
  }
}
