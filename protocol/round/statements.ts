// What a client signs itself: the statement of each submission, and the tag key it hands the coordinator.
//
// Both are bound to (federation, round, announcement hash, key fingerprint) and signed with the
// client's libp2p key, so the aggregator can neither list a client that did not submit, nor list
// one under a digest the client did not send, nor move a statement or tag key to another round.
import { DIGEST_BYTES, DOMAINS, WIRE, assertFederationId, assertRoundId } from '../messages/index.ts'
import { defineSignedDocument, parsePeerId } from '../signing/index.ts'
import { TAG_KEY_BYTES } from '../encoding/index.ts'
import { FINGERPRINT_PATTERN, equalBytes } from './documents.ts'
import { InvalidSubmissionStatementError, InvalidTagKeyError } from './errors.ts'
import type { AnnouncedRound, RoundParameters } from './announcement.ts'
import type { SignedPayload, SubmissionStatement, TagKey, Transcript } from '../messages/index.ts'
import type { PeerId, PrivateKey } from '@libp2p/interface'

/** What a client's statement and tag key are bound to: the round, its announcement and its key. */
export type RoundBinding = Pick<RoundParameters, 'federationId' | 'roundId' | 'announcementHash' | 'keyFingerprint'>

type Binding = Pick<SubmissionStatement, 'federationId' | 'roundId' | 'client' | 'announcementHash' | 'keyFingerprint'>
type RefusalClass = typeof InvalidSubmissionStatementError | typeof InvalidTagKeyError

function checkBinding (binding: Binding, what: string, Refusal: RefusalClass): void {
  assertFederationId(binding.federationId)
  assertRoundId(binding.roundId)
  parsePeerId(binding.client, `${what} client`)
  if (binding.announcementHash.length !== DIGEST_BYTES) throw new Refusal(`${what} announcementHash: expected ${DIGEST_BYTES} bytes, got ${binding.announcementHash.length}`)
  if (!FINGERPRINT_PATTERN.test(binding.keyFingerprint)) throw new Refusal(`${what} keyFingerprint: expected a SHA-256 key fingerprint in hex`)
}

/** Compares a verified statement or tag key with the round it claims; names the first field that differs. */
function checkBindingForRound (round: RoundBinding, binding: Binding, client: string, what: string, Refusal: RefusalClass): void {
  const differs = (field: string): never => { throw new Refusal(`${what} of ${client} for round ${round.roundId}: ${field} does not match the round`) }
  if (binding.federationId !== round.federationId) differs('federationId')
  if (binding.roundId !== round.roundId) differs('roundId')
  if (binding.client !== client) differs('client')
  if (!equalBytes(binding.announcementHash, round.announcementHash)) differs('announcementHash')
  if (binding.keyFingerprint !== round.keyFingerprint) differs('keyFingerprint')
}

function validateStatement (statement: SubmissionStatement): SubmissionStatement {
  checkBinding(statement, 'statement', InvalidSubmissionStatementError)
  if (statement.digest.length !== DIGEST_BYTES) throw new InvalidSubmissionStatementError(`statement digest: expected ${DIGEST_BYTES} bytes, got ${statement.digest.length}`)
  return statement
}

function validateTagKey (tagKey: TagKey): TagKey {
  checkBinding(tagKey, 'tag key', InvalidTagKeyError)
  if (tagKey.tagKey.length !== TAG_KEY_BYTES) throw new InvalidTagKeyError(`tag key: expected ${TAG_KEY_BYTES} bytes, got ${tagKey.tagKey.length}`)
  return tagKey
}

const statementDocument = defineSignedDocument({ domain: DOMAINS.submission, codec: WIRE.SubmissionStatement, validate: validateStatement, signerOf: s => s.client })
const tagKeyDocument = defineSignedDocument({ domain: DOMAINS.tagKey, codec: WIRE.TagKey, validate: validateTagKey, signerOf: k => k.client })

/** What a client that interpreted the announcement binds its statement and tag key to. */
export function roundBinding (round: AnnouncedRound): RoundBinding {
  const { federationId, roundId, keyFingerprint } = round.announcement
  return { federationId, roundId, keyFingerprint, announcementHash: round.announcementHash }
}

/** The fields that bind a client's statement or tag key to `round`. */
function bindingFor (round: RoundBinding, client: string): Binding {
  return { federationId: round.federationId, roundId: round.roundId, client, announcementHash: round.announcementHash, keyFingerprint: round.keyFingerprint }
}

/** The statement `client` signs for a submission with ciphertext digest `digest` to `round`. */
export function submissionStatement (round: RoundBinding, client: string, digest: Uint8Array): SubmissionStatement {
  return { ...bindingFor(round, client), digest: Uint8Array.from(digest) }
}

/** Signs a statement (domain 'fedagg/submission/1'); the key must be the statement's client's. */
export async function signSubmissionStatement (privateKey: PrivateKey, statement: SubmissionStatement): Promise<SignedPayload> {
  return statementDocument.sign(privateKey, statement)
}

/**
 * Verifies that `client` signed a statement for exactly this round and `digest`. Throws
 * InvalidSubmissionStatementError (or the signing module's signature errors) otherwise.
 */
export async function verifySubmissionStatement (round: RoundBinding, signed: SignedPayload | undefined, client: PeerId | string, digest: Uint8Array): Promise<SubmissionStatement> {
  const who = client.toString()
  if (signed === undefined) throw new InvalidSubmissionStatementError(`submission of ${who} for round ${round.roundId}: expected the client's signed statement, got none`)
  const statement = await statementDocument.verify(signed, who)
  checkBindingForRound(round, statement, who, 'statement', InvalidSubmissionStatementError)
  if (!equalBytes(statement.digest, digest)) throw new InvalidSubmissionStatementError(`statement of ${who} for round ${round.roundId}: digest does not match the submission`)
  return statement
}

/**
 * The coordinator's check of a transcript: every listed contributor signed a statement for this
 * round naming the digest it is listed under. Throws InvalidSubmissionStatementError naming the
 * first contributor whose statement fails.
 */
export async function verifyContributions (round: RoundBinding, transcript: Transcript): Promise<void> {
  for (const [i, contribution] of transcript.contributors.entries()) {
    try {
      await verifySubmissionStatement(round, contribution.statement, contribution.client, contribution.digest)
    } catch (err) {
      throw new InvalidSubmissionStatementError(`transcript of round ${round.roundId}: contributor ${i} (${contribution.client}) has no valid statement: ${(err as Error).name}`, { cause: err })
    }
  }
}

/** The tag key message `client` signs and sends to the coordinator before submitting to `round`. */
export function tagKeyMessage (round: RoundBinding, client: string, tagKey: Uint8Array): TagKey {
  return { ...bindingFor(round, client), tagKey: Uint8Array.from(tagKey) }
}

/** Signs a tag key (domain 'fedagg/tagkey/1'); the key must be the message's client's. */
export async function signTagKey (privateKey: PrivateKey, tagKey: TagKey): Promise<SignedPayload> {
  return tagKeyDocument.sign(privateKey, tagKey)
}

/** Verifies that `client` signed a tag key for exactly this round; throws InvalidTagKeyError otherwise. */
export async function verifyTagKey (round: RoundBinding, signed: SignedPayload, client: PeerId | string): Promise<TagKey> {
  const who = client.toString()
  const tagKey = await tagKeyDocument.verify(signed, who)
  checkBindingForRound(round, tagKey, who, 'tag key', InvalidTagKeyError)
  return tagKey
}
