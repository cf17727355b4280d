// Public surface of the wire layer: message types, codecs, constants and identifier rules.
export type {
  AggregateRequest, AggregateResponseHeader, CiphertextChunk, Contribution, FederationEvent,
  OpenRoundsRequest, OpenRoundsResponse, PaillierPublicKey, PeerAddresses, PeerDirectory,
  PeerDirectoryRequest, Receipt, Roster, RosterMember,
  RosterRequest, RoundAnnouncement, RoundResult, SignedPayload, SubmissionHeader, SubmitResponse,
  Transcript, VectorSpec
} from './generated/fedagg.js'
export * from './codec.ts'
export * from './constants.ts'
export * from './federation-event.ts'
export * from './identifiers.ts'
