// The node's persistent Ed25519 libp2p identity: created once, stored 0600, checked against its peer ID on load.
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { PrivateKey } from '@libp2p/interface'
import { FedaggError } from '../protocol/errors.ts'
import { fileExists, readSecretFile, writeSecretFile } from './files/secret-file.ts'

export const IDENTITY_FILE = 'identity.key'
/** The peer ID, recorded in clear beside the key so a swapped or corrupted key file is caught on load. */
export const PEER_ID_FILE = 'peer-id'

export class IdentityMismatchError extends FedaggError {
  static override name = 'IdentityMismatchError'
}

export class InvalidIdentityKeyError extends FedaggError {
  static override name = 'InvalidIdentityKeyError'
}

/** Loads the identity in `dataDir`, creating it (and the directory) on first use. */
export async function loadOrCreateIdentity (dataDir: string): Promise<PrivateKey> {
  if (await fileExists(join(dataDir, IDENTITY_FILE))) {
    return loadIdentity(dataDir)
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  const privateKey = await generateKeyPair('Ed25519')
  await writeSecretFile(join(dataDir, IDENTITY_FILE), privateKeyToProtobuf(privateKey))
  await writeFile(join(dataDir, PEER_ID_FILE), peerIdFromPrivateKey(privateKey).toString() + '\n')
  return privateKey
}

/** Loads an existing identity; the key must be Ed25519 and match the recorded peer ID. */
export async function loadIdentity (dataDir: string): Promise<PrivateKey> {
  const keyPath = join(dataDir, IDENTITY_FILE)
  const bytes = await readSecretFile(keyPath)
  let privateKey: PrivateKey
  try {
    privateKey = privateKeyFromProtobuf(bytes)
  } catch (err) {
    throw new InvalidIdentityKeyError(`${keyPath}: not a libp2p private key`, { cause: err })
  }
  if (privateKey.type !== 'Ed25519') {
    throw new InvalidIdentityKeyError(`${keyPath}: expected an Ed25519 key, got ${privateKey.type}`)
  }
  const derived = peerIdFromPrivateKey(privateKey).toString()
  const recorded = (await readFile(join(dataDir, PEER_ID_FILE), 'utf8').catch(() => '')).trim()
  if (recorded !== derived) {
    throw new IdentityMismatchError(
      `${keyPath}: key belongs to ${derived} but ${PEER_ID_FILE} records ${recorded === '' ? 'nothing' : recorded}`)
  }
  return privateKey
}
