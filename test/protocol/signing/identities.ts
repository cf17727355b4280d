// Deterministic Ed25519 identities for tests: the same seed always gives the same peer ID.
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { Ed25519PeerId, Ed25519PrivateKey } from '@libp2p/interface'

export interface TestIdentity {
  privateKey: Ed25519PrivateKey
  peerId: Ed25519PeerId
  /** canonical base58btc peer ID string */
  id: string
}

/** Identity number `n` (0-255), from a 32-byte seed filled with n. */
export async function testIdentity (n: number): Promise<TestIdentity> {
  const privateKey = await generateKeyPairFromSeed('Ed25519', new Uint8Array(32).fill(n))
  const peerId = peerIdFromPrivateKey(privateKey)
  return { privateKey, peerId, id: peerId.toString() }
}

export async function testIdentities (count: number, first = 1): Promise<TestIdentity[]> {
  return Promise.all(Array.from({ length: count }, async (_, i) => testIdentity(first + i)))
}
