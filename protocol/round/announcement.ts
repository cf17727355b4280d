// Round announcements: building one from the roster, the rules every peer checks, and coordinator signatures.
import { assertFederationId, assertRoundId, DOMAINS, WIRE } from '../messages/index.ts'
import { clients, hasRole } from '../roster/index.ts'
import { defineSignedDocument, parsePeerId } from '../signing/index.ts'
import { InvalidAnnouncementError } from './errors.ts'
import type { PaillierPublicKey, Roster, RoundAnnouncement, SignedPayload, VectorSpec } from '../messages/index.ts'
import type { PeerId, PrivateKey } from '@libp2p/interface'

/**
 * Smallest minParticipants. With 1, "the sum over at least minParticipants clients" is one
 * client's vector in the clear for the coordinator, which is exactly what the protocol exists to
 * prevent; clients refuse such rounds.
 */
export const MIN_PARTICIPANTS_FLOOR = 2
/** The nonce makes every announcement unique even for a reused round id; 128 bits suffice. */
export const MIN_NONCE_BYTES = 16
export const MAX_NONCE_BYTES = 64
/** DESIGN.md: 3072-bit moduli by default, 2048 allowed, anything shorter refused. */
export const MIN_MODULUS_BITS = 2048
/** Upper bound so an announcement cannot make every client do absurd exponentiations. */
export const MAX_MODULUS_BITS = 8192
/** Same bound as protocol/encoding: 2^24 int:32 values are already ~160 MB of ciphertext. */
export const MAX_VECTOR_LENGTH = 2 ** 24
/** Widest weight slot, as in protocol/encoding (values must fit a signed int64). */
export const MAX_WEIGHT_BITS = 62
/** Encoding names in canonical decimal form (no leading zeros), as protocol/encoding parses them. */
export const ENCODING_PATTERN = /^(int:[1-9]\d{0,2}|fixed:(0|[1-9]\d{0,2}))$/
/** Key fingerprints are hash encodings (hex, base64 or multibase); the shape only bounds them. */
export const KEY_FINGERPRINT_PATTERN = /^[A-Za-z0-9:_+/=-]{8,128}$/

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

function bitLength (bigEndian: Uint8Array): number {
  const first = bigEndian[0] ?? 0
  return first === 0 ? 0 : (bigEndian.length - 1) * 8 + (32 - Math.clz32(first))
}

function checkPublicKey (key: PaillierPublicKey | undefined): void {
  if (key === undefined) refuse('publicKey', 'a Paillier public key', 'none')
  const bits = bitLength(key.n)
  if (key.n[0] === 0 || bits < MIN_MODULUS_BITS || bits > MAX_MODULUS_BITS) {
    refuse('publicKey.n', `a big-endian modulus of ${MIN_MODULUS_BITS}..${MAX_MODULUS_BITS} bits without leading zero bytes`, `${key.n.length} bytes, ${bits} bits`)
  }
  if (((key.n[key.n.length - 1] ?? 0) & 1) === 0) refuse('publicKey.n', 'an odd modulus (a product of two odd primes)', 'an even number')
  // h_s = h^n mod n^2 is below n^2, so it never needs more than twice the bytes of n.
  if (key.hs.length === 0 || key.hs[0] === 0 || key.hs.length > 2 * key.n.length) {
    refuse('publicKey.hs', `a big-endian value of 1..${2 * key.n.length} bytes without leading zero bytes`, `${key.hs.length} bytes`)
  }
}

function checkSpec (spec: VectorSpec | undefined, eligibleCount: number): void {
  if (spec === undefined) refuse('spec', 'a vector spec', 'none')
  if (!Number.isInteger(spec.length) || spec.length < 1 || spec.length > MAX_VECTOR_LENGTH) refuse('spec.length', `1..${MAX_VECTOR_LENGTH}`, spec.length)
  if (!ENCODING_PATTERN.test(spec.encoding)) refuse('spec.encoding', "'int:<bits>' or 'fixed:<fractionBits>'", quote(spec.encoding))
  const fixed = spec.encoding.startsWith('fixed:')
  if (fixed ? !(Number.isFinite(spec.clip) && spec.clip > 0) : spec.clip !== 0) {
    refuse('spec.clip', fixed ? 'a finite clip bound > 0 for a fixed encoding' : '0 for an int encoding', spec.clip)
  }
  if (spec.weightBits > MAX_WEIGHT_BITS) refuse('spec.weightBits', `0 (unweighted) or 1..${MAX_WEIGHT_BITS}`, spec.weightBits)
  // Packing sizes each slot's carry headroom for maxParticipants summands; more would overflow.
  if (spec.maxParticipants < eligibleCount) refuse('spec.maxParticipants', `at least the ${eligibleCount} eligible clients`, spec.maxParticipants)
}

/**
 * Checks every rule an announcement must satisfy on its own and returns it unchanged. Roster
 * membership is a separate check (checkAnnouncementAgainstRoster) since it needs a roster.
 * Throws InvalidAnnouncementError, InvalidFederationIdError, InvalidRoundIdError, InvalidPeerIdError.
 */
export function validateAnnouncement (announcement: RoundAnnouncement): RoundAnnouncement {
  const a = announcement
  assertFederationId(a.federationId)
  assertRoundId(a.roundId)
  if (a.nonce.length < MIN_NONCE_BYTES || a.nonce.length > MAX_NONCE_BYTES) refuse('nonce', `${MIN_NONCE_BYTES}..${MAX_NONCE_BYTES} bytes`, `${a.nonce.length} bytes`)
  parsePeerId(a.aggregator, 'announcement aggregator')
  checkPublicKey(a.publicKey)
  if (!KEY_FINGERPRINT_PATTERN.test(a.keyFingerprint)) refuse('keyFingerprint', KEY_FINGERPRINT_PATTERN.source, quote(a.keyFingerprint))
  a.eligible.forEach((peerId, i) => parsePeerId(peerId, `announcement eligible[${i}]`))
  if (new Set(a.eligible).size !== a.eligible.length) refuse('eligible', 'each client once', 'duplicates')
  checkSpec(a.spec, a.eligible.length)
  if (!Number.isInteger(a.minParticipants) || a.minParticipants < MIN_PARTICIPANTS_FLOOR || a.minParticipants > a.eligible.length) {
    refuse('minParticipants', `${MIN_PARTICIPANTS_FLOOR}..${a.eligible.length} (the number of eligible clients)`, a.minParticipants)
  }
  assertSafeInteger(a.rosterVersion, 1, 'rosterVersion')
  assertSafeInteger(a.openedAtMs, 0, 'openedAtMs')
  assertSafeInteger(a.deadlineMs, a.openedAtMs + 1, 'deadlineMs')
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
  publicKey: PaillierPublicKey
  keyFingerprint: string
  spec: VectorSpec
  /** Defaults to every client in the roster, in roster order. */
  eligible?: readonly string[]
  minParticipants: number
  openedAtMs: number
  deadlineMs: number
}

/** Builds and checks a new round's announcement (the coordinator's side of "open"). */
export function createAnnouncement (init: AnnouncementInit): RoundAnnouncement {
  const announcement: RoundAnnouncement = {
    federationId: init.roster.federationId,
    roundId: init.roundId,
    nonce: Uint8Array.from(init.nonce),
    aggregator: init.aggregator,
    publicKey: init.publicKey,
    keyFingerprint: init.keyFingerprint,
    spec: init.spec,
    eligible: [...(init.eligible ?? clients(init.roster))],
    minParticipants: init.minParticipants,
    deadlineMs: init.deadlineMs,
    rosterVersion: init.roster.version,
    openedAtMs: init.openedAtMs
  }
  validateAnnouncement(announcement)
  checkAnnouncementAgainstRoster(announcement, init.roster)
  return announcement
}

/** The announcement fields both the aggregator's and the coordinator's round state keep. */
export interface RoundParameters {
  federationId: string
  roundId: string
  aggregator: string
  keyFingerprint: string
  eligible: string[]
  minParticipants: number
  openedAtMs: number
  deadlineMs: number
}

/** Validates an announcement and copies out the parameters a round state keeps. */
export function roundParameters (announcement: RoundAnnouncement): RoundParameters {
  validateAnnouncement(announcement)
  return {
    federationId: announcement.federationId,
    roundId: announcement.roundId,
    aggregator: announcement.aggregator,
    keyFingerprint: announcement.keyFingerprint,
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
 * Verifies that the roster's coordinator signed this announcement and that it is valid.
 * The announcement carries no coordinator field, so the expected coordinator is required.
 */
export async function verifyAnnouncement (signed: SignedPayload, expectedCoordinator: PeerId | string): Promise<RoundAnnouncement> {
  return announcementDocument.verify(signed, expectedCoordinator)
}
