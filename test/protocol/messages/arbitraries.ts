// fast-check generators for every wire message, shaped like the decoder's output so round trips compare equal.
import fc from 'fast-check'
import type {
  AggregateRequest, AggregateResponseHeader, BlumModulusAnswer, BlumModulusProof, CiphertextChunk, Contribution, FederationEvent,
  KeyProofRequest, KeyProofResponse, OpenRoundsRequest, OpenRoundsResponse, PaillierPublicKey, PeerAddresses, PeerDirectory,
  PeerDirectoryRequest, Receipt, Roster, RosterMember,
  RosterRequest, RoundAnnouncement, RoundResult, SignedPayload, SubmissionHeader, SubmitResponse,
  SubmissionStatement, TagKey, TagKeyResponse, Transcript, VectorSpec, WireMessageName, SessionModel, ModelRequest, ModelResponseHeader, ModelChunk
} from '../../../protocol/messages/index.ts'

const text = fc.string({ unit: 'grapheme', maxLength: 40 })
const bytes = fc.uint8Array({ maxLength: 64 })
const u32 = fc.nat({ max: 0xffff_ffff })
// uint64 fields are read as JS numbers; only safe integers survive the trip exactly.
const u64 = fc.nat({ max: Number.MAX_SAFE_INTEGER })
// -0 is a default value (not written), so it decodes as +0; NaN and infinities do round-trip.
const double = fc.double().map(value => Object.is(value, -0) ? 0 : value)
// Decoded messages are plain objects; fast-check would otherwise sometimes build null-prototype ones.
function record<T> (model: { [K in keyof T]: fc.Arbitrary<T[K]> }, options: { requiredKeys?: Array<keyof T> } = {}): fc.Arbitrary<T> {
  return fc.record(model, { ...options, noNullPrototype: true }) as fc.Arbitrary<T>
}
const list = <T>(item: fc.Arbitrary<T>): fc.Arbitrary<T[]> => fc.array(item, { maxLength: 5 })

const signedPayload: fc.Arbitrary<SignedPayload> = record({ domain: text, payload: bytes, signer: text, signature: bytes })
const paillierPublicKey: fc.Arbitrary<PaillierPublicKey> = record({ version: u32, n: bytes, hs: bytes })
const rosterMember: fc.Arbitrary<RosterMember> = record({ peerId: text, name: text, roles: list(text) })
const vectorSpec: fc.Arbitrary<VectorSpec> = record({ length: u32, encoding: text, clip: double, maxParticipants: u32, weightBits: u32 })
const peerAddresses: fc.Arbitrary<PeerAddresses> = record({ peerId: text, multiaddrs: list(text) })
const contribution: fc.Arbitrary<Contribution> = record({ client: text, digest: bytes, index: u32, statement: signedPayload }, { requiredKeys: ['client', 'digest', 'index'] })
const blumModulusAnswer: fc.Arbitrary<BlumModulusAnswer> = record({ x: bytes, z: bytes, a: fc.boolean(), b: fc.boolean() })
const blumModulusProof: fc.Arbitrary<BlumModulusProof> = record({ version: u32, w: bytes, answers: list(blumModulusAnswer) })

/** One generator per WIRE codec; optional message fields are sometimes absent. */
export const messageArbitraries: { [K in WireMessageName]: fc.Arbitrary<unknown> } = {
  SignedPayload: signedPayload,
  PaillierPublicKey: paillierPublicKey,
  RosterMember: rosterMember,
  Roster: record<Roster>({ federationId: text, version: u64, coordinator: text, members: list(rosterMember), bootstrap: list(text), issuedAtMs: u64 }),
  VectorSpec: vectorSpec,
  RoundAnnouncement: record<RoundAnnouncement>({
    federationId: text,
    roundId: text,
    nonce: bytes,
    aggregator: text,
    publicKey: paillierPublicKey,
    keyFingerprint: text,
    spec: vectorSpec,
    eligible: list(text),
    minParticipants: u32,
    deadlineMs: u64,
    rosterVersion: u64,
    openedAtMs: u64
  }, { requiredKeys: ['federationId', 'roundId', 'nonce', 'aggregator', 'keyFingerprint', 'eligible', 'minParticipants', 'deadlineMs', 'rosterVersion', 'openedAtMs'] }),
  SubmissionHeader: record<SubmissionHeader>({ roundId: text, keyFingerprint: text, ciphertextCount: u32, ciphertextWidth: u32, chunkCount: u32, digest: bytes, statement: signedPayload }, { requiredKeys: ['roundId', 'keyFingerprint', 'ciphertextCount', 'ciphertextWidth', 'chunkCount', 'digest'] }),
  SubmissionStatement: record<SubmissionStatement>({ federationId: text, roundId: text, client: text, announcementHash: bytes, keyFingerprint: text, digest: bytes }),
  TagKey: record<TagKey>({ federationId: text, roundId: text, client: text, announcementHash: bytes, keyFingerprint: text, tagKey: bytes }),
  TagKeyResponse: record<TagKeyResponse>({ accepted: fc.boolean(), errorName: text, errorMessage: text }),
  CiphertextChunk: record<CiphertextChunk>({ index: u32, ciphertexts: bytes }),
  SubmitResponse: record<SubmitResponse>({ accepted: fc.boolean(), receipt: signedPayload, errorName: text, errorMessage: text }, { requiredKeys: ['accepted', 'errorName', 'errorMessage'] }),
  Receipt: record<Receipt>({ federationId: text, roundId: text, client: text, aggregator: text, digest: bytes, index: u32, acceptedAtMs: u64, announcementHash: bytes, keyFingerprint: text }),
  Contribution: contribution,
  Transcript: record<Transcript>({ federationId: text, roundId: text, aggregator: text, status: text, contributors: list(contribution), aggregateDigest: bytes, closedAtMs: u64, reason: text, announcementHash: bytes, keyFingerprint: text }),
  AggregateRequest: record<AggregateRequest>({ roundId: text }),
  AggregateResponseHeader: record<AggregateResponseHeader>({ status: text, transcript: signedPayload, ciphertextCount: u32, ciphertextWidth: u32, chunkCount: u32, errorName: text, errorMessage: text }, { requiredKeys: ['status', 'ciphertextCount', 'ciphertextWidth', 'chunkCount', 'errorName', 'errorMessage'] }),
  RoundResult: record<RoundResult>({ federationId: text, roundId: text, status: text, contributors: u32, sum: list(text), mean: list(double), reason: text, decryptedAtMs: u64, announcementHash: bytes, keyFingerprint: text, transcriptDigest: bytes }),
  RosterRequest: record<RosterRequest>({ knownVersion: u64 }),
  PeerDirectoryRequest: record<PeerDirectoryRequest>({ peerIds: list(text) }),
  PeerAddresses: peerAddresses,
  PeerDirectory: record<PeerDirectory>({ peers: list(peerAddresses) }),
  OpenRoundsRequest: fc.constant<OpenRoundsRequest>({}),
  OpenRoundsResponse: record<OpenRoundsResponse>({ announcements: list(signedPayload) }),
  FederationEvent: record<FederationEvent>({ announcement: signedPayload, transcript: signedPayload, result: signedPayload, roster: signedPayload }, { requiredKeys: [] }),
  KeyProofRequest: record<KeyProofRequest>({ keyFingerprint: text }),
  BlumModulusAnswer: blumModulusAnswer,
  BlumModulusProof: blumModulusProof,
  KeyProofResponse: record<KeyProofResponse>({ found: fc.boolean(), proof: blumModulusProof }, { requiredKeys: ['found'] }),
  SessionModel: record<SessionModel>({
    federationId: text,
    sessionId: text,
    round: u32,
    roundId: text,
    modelHash: bytes,
    parameterCount: u32,
    rounds: u32,
    epochs: u32,
    clip: double,
    status: text,
    issuedAtMs: u64
  }),
  ModelRequest: record<ModelRequest>({ sessionId: text, roundId: text, knownHash: bytes }),
  ModelResponseHeader: record<ModelResponseHeader>({ found: fc.boolean(), model: signedPayload, chunkCount: u32 }, { requiredKeys: ['found', 'chunkCount'] }),
  ModelChunk: record<ModelChunk>({ index: u32, parameters: bytes })
}
