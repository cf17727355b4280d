// Conversions between protocol values and their wire form: Paillier public keys and vector specs.
import { bigintToMinimalBytes, bytesToBigint, publicKeyFromParts } from '../paillier/index.ts'
import type { PaillierPublicKey } from '../paillier/index.ts'
import { formatEncoding, parseEncoding, validateVectorSpec } from '../encoding/index.ts'
import type { VectorSpec } from '../encoding/index.ts'
import type { PaillierPublicKey as WirePublicKey, VectorSpec as WireVectorSpec } from '../messages/index.ts'
import { InvalidAnnouncementError } from './errors.ts'

/** Version of the PaillierPublicKey wire message this code writes and reads. */
export const WIRE_PUBLIC_KEY_VERSION = 1

export function publicKeyToWire (publicKey: PaillierPublicKey): WirePublicKey {
  return { version: WIRE_PUBLIC_KEY_VERSION, n: Uint8Array.from(bigintToMinimalBytes(publicKey.n)), hs: Uint8Array.from(bigintToMinimalBytes(publicKey.hs)) }
}

/** Validates the key (size, structure) through publicKeyFromParts; its typed errors pass through. */
export function publicKeyFromWire (wire: WirePublicKey | undefined): PaillierPublicKey {
  if (wire === undefined) throw new InvalidAnnouncementError('announcement: expected a Paillier public key, got none')
  if (wire.version !== WIRE_PUBLIC_KEY_VERSION) {
    throw new InvalidAnnouncementError(`announcement: expected public key version ${WIRE_PUBLIC_KEY_VERSION}, got ${wire.version}`)
  }
  // Minimal big-endian only, so one key has one encoding (and one announcement digest).
  if (wire.n[0] === 0 || wire.hs[0] === 0) {
    throw new InvalidAnnouncementError('announcement: expected minimal big-endian n and h_s, got a leading zero byte')
  }
  return publicKeyFromParts(bytesToBigint(wire.n), bytesToBigint(wire.hs))
}

export function vectorSpecToWire (spec: VectorSpec): WireVectorSpec {
  return {
    length: spec.length,
    encoding: formatEncoding(spec.encoding),
    clip: spec.encoding.kind === 'fixed' ? spec.encoding.clip : 0,
    maxParticipants: spec.maxParticipants,
    weightBits: spec.weightBits ?? 0
  }
}

export function vectorSpecFromWire (wire: WireVectorSpec | undefined): VectorSpec {
  if (wire === undefined) throw new InvalidAnnouncementError('announcement: expected a vector spec, got none')
  if (!wire.encoding.startsWith('fixed:') && wire.clip !== 0) {
    throw new InvalidAnnouncementError(`announcement spec.clip: expected 0 for ${JSON.stringify(wire.encoding.slice(0, 40))}, got ${wire.clip}`)
  }
  const encoding = parseEncoding(wire.encoding, wire.clip === 0 ? {} : { clip: wire.clip })
  const spec: VectorSpec = wire.weightBits === 0
    ? { length: wire.length, encoding, maxParticipants: wire.maxParticipants }
    : { length: wire.length, encoding, maxParticipants: wire.maxParticipants, weightBits: wire.weightBits }
  validateVectorSpec(spec)
  return spec
}
