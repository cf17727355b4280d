// Round announcements: built by the coordinator, interpreted (and fully validated) by every other party.
import { planPacking } from '../encoding/index.ts'
import type { PackingPlan, VectorSpec } from '../encoding/index.ts'
import { assertFederationId, assertRoundId } from '../messages/index.ts'
import type { RoundAnnouncement } from '../messages/index.ts'
import { ciphertextByteLength } from '../paillier/codec.ts'
import type { PaillierPublicKey } from '../paillier/keys.ts'
import { parsePeerId } from '../signing/index.ts'
import { InvalidAnnouncementError, KeyFingerprintMismatchError } from './errors.ts'
import { publicKeyFromWire, publicKeyToWire, vectorSpecFromWire, vectorSpecToWire } from './wire-values.ts'

/** 128-bit nonces: unique across every round a coordinator will ever open. */
export const ANNOUNCEMENT_NONCE_BYTES = 16

/** An announcement with everything a party derives from it, each derived value checked. */
export interface AnnouncedRound {
  announcement: RoundAnnouncement
  publicKey: PaillierPublicKey
  spec: VectorSpec
  plan: PackingPlan
  /** Byte width of one ciphertext under this key: every submission's frames are multiples of it. */
  ciphertextWidth: number
}

export interface AnnouncementInit {
  federationId: string
  roundId: string
  nonce: Uint8Array
  aggregator: string
  publicKey: PaillierPublicKey
  spec: VectorSpec
  eligible: readonly string[]
  minParticipants: number
  deadlineMs: number
  rosterVersion: number
  openedAtMs: number
}

export function buildAnnouncement (init: AnnouncementInit): AnnouncedRound {
  return interpretAnnouncement({
    federationId: init.federationId,
    roundId: init.roundId,
    nonce: Uint8Array.from(init.nonce),
    aggregator: init.aggregator,
    publicKey: publicKeyToWire(init.publicKey),
    keyFingerprint: init.publicKey.fingerprint,
    spec: vectorSpecToWire(init.spec),
    eligible: [...init.eligible],
    minParticipants: init.minParticipants,
    deadlineMs: init.deadlineMs,
    rosterVersion: init.rosterVersion,
    openedAtMs: init.openedAtMs
  })
}

/**
 * Checks every field a client or aggregator relies on. Roster-dependent
 * checks (is the aggregator an aggregator, are the eligible peers clients)
 * are the caller's, since they need the roster.
 */
export function interpretAnnouncement (announcement: RoundAnnouncement): AnnouncedRound {
  assertFederationId(announcement.federationId)
  assertRoundId(announcement.roundId)
  if (announcement.nonce.length !== ANNOUNCEMENT_NONCE_BYTES) {
    throw new InvalidAnnouncementError(`round ${announcement.roundId}: expected a ${ANNOUNCEMENT_NONCE_BYTES}-byte nonce, got ${announcement.nonce.length} bytes`)
  }
  parsePeerId(announcement.aggregator, 'aggregator')
  const publicKey = publicKeyFromWire(announcement.publicKey)
  if (publicKey.fingerprint !== announcement.keyFingerprint) {
    throw new KeyFingerprintMismatchError(`round ${announcement.roundId}: expected key fingerprint ${publicKey.fingerprint}, got ${announcement.keyFingerprint}`)
  }
  const spec = vectorSpecFromWire(announcement.spec)
  const eligible = new Set(announcement.eligible.map(peer => parsePeerId(peer, 'eligible client').toString()))
  if (eligible.size !== announcement.eligible.length) {
    throw new InvalidAnnouncementError(`round ${announcement.roundId}: eligible clients must be distinct`)
  }
  // The packing's carry headroom is sized for maxParticipants summands: more eligible clients could overflow a slot.
  if (eligible.size === 0 || eligible.size > spec.maxParticipants) {
    throw new InvalidAnnouncementError(`round ${announcement.roundId}: expected 1 to ${spec.maxParticipants} (maxParticipants) eligible clients, got ${eligible.size}`)
  }
  if (!Number.isInteger(announcement.minParticipants) || announcement.minParticipants < 1 || announcement.minParticipants > eligible.size) {
    throw new InvalidAnnouncementError(`round ${announcement.roundId}: expected minParticipants in [1, ${eligible.size}], got ${announcement.minParticipants}`)
  }
  if (announcement.deadlineMs <= announcement.openedAtMs) {
    throw new InvalidAnnouncementError(`round ${announcement.roundId}: expected a deadline after the opening time ${announcement.openedAtMs}, got ${announcement.deadlineMs}`)
  }
  return {
    announcement,
    publicKey,
    spec,
    plan: planPacking(spec, publicKey.bits),
    ciphertextWidth: ciphertextByteLength(publicKey)
  }
}
