// Round announcements: building one from the roster, the rules every peer checks, and coordinator signatures.
import { createHash } from 'node:crypto'
import { assertFederationId, assertRoundId, DOMAINS, WIRE } from '../messages/index.ts'
import { clients, hasRole } from '../roster/index.ts'
import { defineSignedDocument, openSignedMessage, parsePeerId } from '../signing/index.ts'
import { InvalidAnnouncementError, KeyFingerprintMismatchError } from './errors.ts'
import { publicKeyFromWire, publicKeyToWire, vectorSpecFromWire, vectorSpecToWire } from './wire-values.ts'
import { planPacking } from '../encoding/index.ts'
import type { PackingPlan, VectorSpec as EncodingSpec } from '../encoding/index.ts'
import { ciphertextByteLength } from '../paillier/index.ts'
import type { PaillierPublicKey as PaillierKey } from '../paillier/index.ts'
import type { Roster, RoundAnnouncement, SignedPayload } from '../messages/index.ts'
import type { PeerId, PrivateKey } from '@libp2p/interface'

/**
 * Smallest minParticipants. With 1, "the sum over at least minParticipants clients" is one
 * client's vector in the clear for the coordinator. With 2, each of the two learns the other's
 * vector by subtracting its own from the published sum, and the coordinator, which builds the
 * eligible list, can pair a victim with a client it controls. 3 is the least where a single
 * curious contributor learns only the sum of the others; N − 1 colluders still learn the last one
 * (README, Threat model).
 */
export const MIN_PARTICIPANTS_FLOOR = 3
/** The nonce makes every announcement unique even for a reused round id; 128 bits suffice. */
export const MIN_NONCE_BYTES = 16
export const MAX_NONCE_BYTES = 64
function refuse (field: string, expected: string, got: string | number): never {
  throw new InvalidAnnouncementError(`announcement ${field}: expected ${expected}, got ${got}`)
}

/** Peer-supplied text, quoted and cut short for an error message. */
function quote (text: string): string {
  return JSON.stringify(text.slice(0, 80))
}

function assertSafeInteger (value: number, min: number, field: string): void {
  if (!Number.isSafeInteger(value) || value < min) refuse(field, `an integer >= ${min} and <= ${Number.MAX_SAFE_INTEGER}`, value)
}

/** An announcement with everything a party derives from it, each derived value checked. */
export interface AnnouncedRound {
  announcement: RoundAnnouncement
  publicKey: PaillierKey
  spec: EncodingSpec
  plan: PackingPlan
  /** Byte width of one ciphertext under this key: every submission's frames are multiples of it. */
  ciphertextWidth: number
  /** announcementHash(announcement): what receipts, statements, transcripts and results bind to. */
  announcementHash: Uint8Array<ArrayBuffer>
}

/**
 * SHA-256 of the announcement's protobuf encoding. protons encodes fields in field order with no
 * unknown fields kept, so every party that decoded the same announcement gets the same bytes,
 * however the coordinator's signed copy was laid out.
 */
export function announcementHash (announcement: RoundAnnouncement): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(createHash('sha256').update(WIRE.RoundAnnouncement.encode(announcement)).digest())
}

/**
 * Checks every rule an announcement must satisfy on its own and derives what a party needs from
 * it: the Paillier key (validated, and matching the announced fingerprint), the vector spec, its
 * packing plan and the ciphertext width. Roster membership is a separate check
 * (checkAnnouncementAgainstRoster) since it needs a roster. Throws InvalidAnnouncementError,
 * KeyFingerprintMismatchError, the paillier and encoding modules' key and spec errors,
 * InvalidFederationIdError, InvalidRoundIdError, InvalidPeerIdError.
 */
export function interpretAnnouncement (announcement: RoundAnnouncement): AnnouncedRound {
  const a = announcement
  assertFederationId(a.federationId)
  assertRoundId(a.roundId)
  if (a.nonce.length < MIN_NONCE_BYTES || a.nonce.length > MAX_NONCE_BYTES) refuse('nonce', `${MIN_NONCE_BYTES}..${MAX_NONCE_BYTES} bytes`, `${a.nonce.length} bytes`)
  parsePeerId(a.aggregator, 'announcement aggregator')
  const publicKey = publicKeyFromWire(a.publicKey)
  if (publicKey.fingerprint !== a.keyFingerprint) {
    throw new KeyFingerprintMismatchError(`announcement keyFingerprint: expected ${publicKey.fingerprint} (SHA-256 of n), got ${quote(a.keyFingerprint)}`)
  }
  a.eligible.forEach((peerId, i) => parsePeerId(peerId, `announcement eligible[${i}]`))
  if (new Set(a.eligible).size !== a.eligible.length) refuse('eligible', 'each client once', 'duplicates')
  const spec = vectorSpecFromWire(a.spec)
  // Packing sizes each slot's carry headroom for maxParticipants summands; more would overflow.
  if (spec.maxParticipants < a.eligible.length) refuse('spec.maxParticipants', `at least the ${a.eligible.length} eligible clients`, spec.maxParticipants)
  if (!Number.isInteger(a.minParticipants) || a.minParticipants < MIN_PARTICIPANTS_FLOOR || a.minParticipants > a.eligible.length) {
    refuse('minParticipants', `${MIN_PARTICIPANTS_FLOOR}..${a.eligible.length} (the number of eligible clients)`, a.minParticipants)
  }
  assertSafeInteger(a.rosterVersion, 1, 'rosterVersion')
  assertSafeInteger(a.openedAtMs, 0, 'openedAtMs')
  assertSafeInteger(a.deadlineMs, a.openedAtMs + 1, 'deadlineMs')
  return { announcement, publicKey, spec, plan: planPacking(spec, publicKey.bits), ciphertextWidth: ciphertextByteLength(publicKey), announcementHash: announcementHash(announcement) }
}

/** interpretAnnouncement for callers that only need the check; returns the announcement unchanged. */
export function validateAnnouncement (announcement: RoundAnnouncement): RoundAnnouncement {
  interpretAnnouncement(announcement)
  return announcement
}

/**
 * Checks an announcement against a roster at least as new as the one the round was opened under:
 * same federation, the aggregator holds the aggregator role, every eligible peer holds the client role.
 */
export function checkAnnouncementAgainstRoster (announcement: RoundAnnouncement, roster: Roster): void {
  if (announcement.federationId !== roster.federationId) refuse('federationId', roster.federationId, quote(announcement.federationId))
  if (roster.version < announcement.rosterVersion) refuse('rosterVersion', `at most the roster held here (v${roster.version}); fetch the newer roster first`, announcement.rosterVersion)
  if (!hasRole(roster, announcement.aggregator, 'aggregator')) refuse('aggregator', `a peer with the aggregator role in roster v${roster.version}`, announcement.aggregator)
  const rosterClients = new Set(clients(roster))
  const notClients = announcement.eligible.filter(peerId => !rosterClients.has(peerId))
  if (notClients.length > 0) refuse('eligible', `peers with the client role in roster v${roster.version}`, `${notClients.length} others, first ${notClients[0]}`)
}

export interface AnnouncementInit {
  /** The coordinator's current roster: federation id and roster version come from it. */
  roster: Roster
  roundId: string
  /** Fresh CSPRNG bytes (this module is pure, so the caller draws them), MIN_NONCE_BYTES or more. */
  nonce: Uint8Array
  aggregator: string
  publicKey: PaillierKey
  spec: EncodingSpec
  /** Defaults to every client in the roster, in roster order. */
  eligible?: readonly string[]
  minParticipants: number
  openedAtMs: number
  deadlineMs: number
}

/** Builds and checks a new round's announcement (the coordinator's side of "open"). */
export function createAnnouncement (init: AnnouncementInit): AnnouncedRound {
  const announcement: RoundAnnouncement = {
    federationId: init.roster.federationId,
    roundId: init.roundId,
    nonce: Uint8Array.from(init.nonce),
    aggregator: init.aggregator,
    publicKey: publicKeyToWire(init.publicKey),
    keyFingerprint: init.publicKey.fingerprint,
    spec: vectorSpecToWire(init.spec),
    eligible: [...(init.eligible ?? clients(init.roster))],
    minParticipants: init.minParticipants,
    deadlineMs: init.deadlineMs,
    rosterVersion: init.roster.version,
    openedAtMs: init.openedAtMs
  }
  const round = interpretAnnouncement(announcement)
  checkAnnouncementAgainstRoster(announcement, init.roster)
  return round
}

/** The announcement fields both the aggregator's and the coordinator's round state keep. */
export interface RoundParameters {
  federationId: string
  roundId: string
  aggregator: string
  keyFingerprint: string
  announcementHash: Uint8Array<ArrayBuffer>
  eligible: string[]
  minParticipants: number
  openedAtMs: number
  deadlineMs: number
}

/** Copies out the parameters a round state keeps; an AnnouncedRound is already checked, so nothing is parsed again. */
export function roundParameters ({ announcement }: AnnouncedRound): RoundParameters {
  return {
    federationId: announcement.federationId,
    roundId: announcement.roundId,
    aggregator: announcement.aggregator,
    keyFingerprint: announcement.keyFingerprint,
    announcementHash: announcementHash(announcement),
    eligible: [...announcement.eligible],
    minParticipants: announcement.minParticipants,
    openedAtMs: announcement.openedAtMs,
    deadlineMs: announcement.deadlineMs
  }
}

export function isEligible (announcement: Pick<RoundAnnouncement, 'eligible'>, peer: PeerId | string): boolean {
  return announcement.eligible.includes(peer.toString())
}

const announcementDocument = defineSignedDocument({ domain: DOMAINS.announcement, codec: WIRE.RoundAnnouncement, validate: validateAnnouncement })

/** Signs an announcement (domain 'fedagg/announcement/1') with the coordinator's key. */
export async function signAnnouncement (privateKey: PrivateKey, announcement: RoundAnnouncement): Promise<SignedPayload> {
  return announcementDocument.sign(privateKey, announcement)
}

/**
 * Verifies that the roster's coordinator signed this announcement and interprets it, once: the
 * AnnouncedRound is what every party passes around and stores from here on, so nothing decodes
 * or checks the announcement again. The announcement carries no coordinator field, so the
 * expected coordinator is required.
 */
export async function verifyAnnouncement (signed: SignedPayload, expectedCoordinator: PeerId | string): Promise<AnnouncedRound> {
  return interpretAnnouncement(await openSignedMessage(signed, DOMAINS.announcement, WIRE.RoundAnnouncement, expectedCoordinator))
}

/**
 * Interprets the bytes of a SignedPayload whose signature this node verified before storing it
 * (its own store, written only after verifyAnnouncement or by the coordinator that signed it).
 */
export function interpretStoredAnnouncement (signedBytes: Uint8Array): AnnouncedRound {
  return interpretAnnouncement(WIRE.RoundAnnouncement.decode(WIRE.SignedPayload.decode(signedBytes).payload))
}
