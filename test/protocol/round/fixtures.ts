// A small federation for round tests: coordinator, aggregator, five clients, a roster and an announcement.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { parseEncoding } from '../../../protocol/encoding/index.ts'
import { privateKeyFromJSON } from '../../../protocol/paillier/index.ts'
import type { PaillierPublicKey } from '../../../protocol/paillier/index.ts'
import { addMember, createGenesisRoster } from '../../../protocol/roster/index.ts'
import { createAnnouncement } from '../../../protocol/round/index.ts'
import { testIdentities } from '../signing/identities.ts'
import type { Roster, RoundAnnouncement, SignedPayload, SubmissionHeader } from '../../../protocol/messages/index.ts'
import type { AnnouncedRound, ExpectedCiphertexts } from '../../../protocol/round/index.ts'
import type { TestIdentity } from '../signing/identities.ts'

export interface RoundFixture {
  coordinator: TestIdentity
  aggregator: TestIdentity
  clients: TestIdentity[]
  outsider: TestIdentity
  roster: Roster
  announcement: RoundAnnouncement
  /** The announcement interpreted, as the state machines take it. */
  round: AnnouncedRound
}

export const OPENED_AT = 1_700_000_000_000
export const DEADLINE = OPENED_AT + 60_000
export const EXPECTED: ExpectedCiphertexts = { ciphertextCount: 3, ciphertextWidth: 512 }

/** The pre-generated 2048-bit test key: announcements are checked against a real key. */
export const PUBLIC_KEY: PaillierPublicKey = privateKeyFromJSON(JSON.parse(
  readFileSync(new URL('../../fixtures/paillier-2048.json', import.meta.url), 'utf8'))).publicKey
export const FINGERPRINT = PUBLIC_KEY.fingerprint

export async function roundFixture (): Promise<RoundFixture> {
  const [coordinator, aggregator, outsider, ...clients] = await testIdentities(8) as [TestIdentity, TestIdentity, TestIdentity, ...TestIdentity[]]
  let roster = createGenesisRoster({ federationId: 'acme', coordinator: coordinator.id, issuedAtMs: OPENED_AT - 10_000 })
  roster = addMember(roster, { peerId: aggregator.id, roles: ['aggregator'] }, OPENED_AT - 9_000)
  for (const client of clients) roster = addMember(roster, { peerId: client.id, roles: ['client'] }, OPENED_AT - 8_000)
  roster = addMember(roster, { peerId: outsider.id, roles: ['aggregator'] }, OPENED_AT - 7_000)
  const round = createAnnouncement({
    roster,
    roundId: 'r-1',
    nonce: new Uint8Array(16).fill(9),
    aggregator: aggregator.id,
    publicKey: PUBLIC_KEY,
    spec: { length: 10, encoding: parseEncoding('int:32'), maxParticipants: 10 },
    minParticipants: 3,
    openedAtMs: OPENED_AT,
    deadlineMs: DEADLINE
  })
  return { coordinator, aggregator, clients, outsider, roster, announcement: round.announcement, round }
}

export function digestOf (content: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(createHash('sha256').update(content).digest())
}

/**
 * Stands in for a client's signed statement where only its presence matters: the state machines
 * carry statements, the node verifies them (test/protocol/round/statements.test.ts).
 */
export const PLACEHOLDER_STATEMENT: SignedPayload = { domain: 'fedagg/submission/1', payload: new Uint8Array(1), signer: 'placeholder', signature: new Uint8Array(64) }

/** A header announcing EXPECTED's shape for content `content`. */
export function headerFor (content: string, overrides: Partial<SubmissionHeader> = {}): SubmissionHeader {
  return { roundId: 'r-1', keyFingerprint: FINGERPRINT, ciphertextCount: 3, ciphertextWidth: 512, chunkCount: 1, digest: digestOf(content), statement: PLACEHOLDER_STATEMENT, ...overrides }
}
