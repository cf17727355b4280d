// Wire codecs: the generated protons codecs behind a byte ceiling and one typed MalformedMessageError.
import { FedaggError } from '../errors.ts'
import {
  AggregateRequest, AggregateResponseHeader, BlumModulusAnswer, BlumModulusProof, CiphertextChunk, Contribution, FederationEvent,
  KeyProofRequest, KeyProofResponse, OpenRoundsRequest, OpenRoundsResponse, PaillierPublicKey, PeerAddresses, PeerDirectory,
  PeerDirectoryRequest, Receipt, Roster, RosterMember,
  RosterRequest, RoundAnnouncement, RoundResult, SignedPayload, SubmissionHeader, SubmitResponse,
  SubmissionStatement, TagKey, TagKeyResponse, Transcript, VectorSpec, SessionModel, ModelRequest, ModelResponseHeader, ModelChunk
} from './generated/fedagg.js'
import type { Limits } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

/** Bytes that do not decode as the expected message (truncated, garbage, too many elements). */
export class MalformedMessageError extends FedaggError {
  static override name = 'MalformedMessageError'
}

/** An encoded message longer than the reader allows; a MalformedMessageError too. */
export class MessageTooLargeError extends MalformedMessageError {
  static override name = 'MessageTooLargeError'
}

export interface WireDecodeOptions<T> {
  /** Largest accepted encoding in bytes; defaults to the codec's `maxDataLength`. */
  maxDataLength?: number
  /**
   * protons repeated-field limits, checked while decoding so an oversized list is never
   * materialised, e.g. `{ eligible: 50 }` or `{ members: 100, members$: { roles: 3 } }`.
   * They can only tighten the ceilings compiled in from fedagg.proto.
   */
  limits?: Limits<T>
}

/**
 * One wire message type. Structurally compatible with `pbStream(...).read(codec, opts)` from
 * @libp2p/utils, which passes the stream's AbortOptions along (ignored here).
 */
export interface WireCodec<T> {
  readonly name: string
  /** Default byte ceiling for decode; every stream read should also pass it to lpStream/pbStream. */
  readonly maxDataLength: number
  encode: (value: T) => Uint8Array<ArrayBuffer>
  decode: (data: Uint8Array | Uint8ArrayList, options?: WireDecodeOptions<T>) => T
}

interface GeneratedCodec<T> {
  encode: (value: Partial<T>) => Uint8Array<ArrayBuffer>
  decode: (data: Uint8Array | Uint8ArrayList, options?: { limits?: Limits<T> }) => T
}

function wireCodec<T> (name: string, generated: GeneratedCodec<T>, maxDataLength: number): WireCodec<T> {
  return {
    name,
    maxDataLength,
    encode: value => generated.encode(value),
    decode: (data, options = {}) => {
      const limit = options.maxDataLength ?? maxDataLength
      if (data.byteLength > limit) {
        throw new MessageTooLargeError(`${name}: expected at most ${limit} bytes, got ${data.byteLength}`)
      }
      try {
        return options.limits === undefined ? generated.decode(data) : generated.decode(data, { limits: options.limits })
      } catch (err) {
        // protons throws RangeError/Error/MaxLengthError (and a deep enough group nesting can
        // overflow the stack): all of them mean "not a valid <name>" to the caller.
        const reason = err instanceof Error ? err.message : String(err)
        throw new MalformedMessageError(`${name}: expected a valid protobuf encoding, got ${data.byteLength} bytes that fail to decode (${reason})`, { cause: err })
      }
    }
  }
}

const KiB = 1024
const MiB = 1024 * KiB

/**
 * Size of the ciphertext payload one CiphertextChunk may carry. 1 MiB holds ~1365 ciphertexts of a
 * 3072-bit key (768 bytes each) and keeps a single stream read well under the yamux window.
 */
export const MAX_CHUNK_CIPHERTEXT_BYTES = MiB

/** Parameter bytes one ModelChunk may carry: 1 MiB is 131,072 float64 parameters, one read well under the yamux window. */
export const MAX_MODEL_CHUNK_BYTES = MiB

/**
 * Default byte ceilings, sized from the protons limits in fedagg.proto (10,000 roster members or
 * eligible clients of ~60 bytes each, 8192-bit moduli) with headroom. A peer sending more is
 * broken or hostile; callers can pass a smaller maxDataLength per read.
 */
export const WIRE = {
  // an envelope around the largest document below (RoundResult) plus signer and signature
  SignedPayload: wireCodec('SignedPayload', SignedPayload, 16 * MiB + 4 * KiB),
  PaillierPublicKey: wireCodec('PaillierPublicKey', PaillierPublicKey, 4 * KiB),
  RosterMember: wireCodec('RosterMember', RosterMember, 2 * KiB),
  // 10,000 members x (peer ID 52 + name <= 128 + roles ~30 + framing) ~ 2.2 MB, plus bootstrap addrs
  Roster: wireCodec('Roster', Roster, 4 * MiB),
  VectorSpec: wireCodec('VectorSpec', VectorSpec, 256),
  // 10,000 eligible peer IDs ~ 550 KB plus a public key of a few KiB
  RoundAnnouncement: wireCodec('RoundAnnouncement', RoundAnnouncement, MiB),
  // header fields plus the client's signed SubmissionStatement (~450 bytes)
  SubmissionHeader: wireCodec('SubmissionHeader', SubmissionHeader, 2 * KiB),
  // ids, two peer IDs, two digests and a fingerprint: ~300 bytes
  SubmissionStatement: wireCodec('SubmissionStatement', SubmissionStatement, KiB),
  TagKey: wireCodec('TagKey', TagKey, KiB),
  TagKeyResponse: wireCodec('TagKeyResponse', TagKeyResponse, 4 * KiB),
  CiphertextChunk: wireCodec('CiphertextChunk', CiphertextChunk, MAX_CHUNK_CIPHERTEXT_BYTES + 64),
  // a signed Receipt (~400 bytes) plus an error name and message
  SubmitResponse: wireCodec('SubmitResponse', SubmitResponse, 16 * KiB),
  Receipt: wireCodec('Receipt', Receipt, KiB),
  // client, digest, index and the signed statement (~450 bytes)
  Contribution: wireCodec('Contribution', Contribution, KiB),
  // 10,000 contributors x (peer ID 52 + digest 32 + index + signed statement ~450 + framing) ~ 5.5 MB
  Transcript: wireCodec('Transcript', Transcript, 8 * MiB),
  AggregateRequest: wireCodec('AggregateRequest', AggregateRequest, 256),
  AggregateResponseHeader: wireCodec('AggregateResponseHeader', AggregateResponseHeader, 8 * MiB + 16 * KiB),
  // one exact decimal (<= ~40 digits) and one double per element of vectors up to ~300k elements
  RoundResult: wireCodec('RoundResult', RoundResult, 16 * MiB),
  RosterRequest: wireCodec('RosterRequest', RosterRequest, 64),
  // 1024 peer IDs of ~55 bytes
  PeerDirectoryRequest: wireCodec('PeerDirectoryRequest', PeerDirectoryRequest, 64 * KiB),
  PeerAddresses: wireCodec('PeerAddresses', PeerAddresses, 4 * KiB),
  // 1024 peers x (peer ID + up to 16 multiaddrs of ~100 bytes) ~ 1.7 MB
  PeerDirectory: wireCodec('PeerDirectory', PeerDirectory, 2 * MiB),
  OpenRoundsRequest: wireCodec('OpenRoundsRequest', OpenRoundsRequest, 64),
  // a handful of open rounds in practice; 16 announcements of the largest size
  OpenRoundsResponse: wireCodec('OpenRoundsResponse', OpenRoundsResponse, 16 * MiB),
  FederationEvent: wireCodec('FederationEvent', FederationEvent, 16 * MiB + 8 * KiB),
  // a SHA-256 fingerprint in hex
  KeyProofRequest: wireCodec('KeyProofRequest', KeyProofRequest, 256),
  // two elements of a 4096-bit modulus (512 bytes each) and framing
  BlumModulusAnswer: wireCodec('BlumModulusAnswer', BlumModulusAnswer, 2 * KiB),
  // 256 answers (the proto ceiling) of ~1030 bytes, w, framing
  BlumModulusProof: wireCodec('BlumModulusProof', BlumModulusProof, 272 * KiB),
  KeyProofResponse: wireCodec('KeyProofResponse', KeyProofResponse, 273 * KiB),
  // session and round ids, a hash and a few numbers
  SessionModel: wireCodec('SessionModel', SessionModel, 2 * KiB),
  ModelRequest: wireCodec('ModelRequest', ModelRequest, KiB),
  // a signed SessionModel plus the chunk count
  ModelResponseHeader: wireCodec('ModelResponseHeader', ModelResponseHeader, 4 * KiB),
  // MAX_MODEL_CHUNK_BYTES of parameters plus the index and framing
  ModelChunk: wireCodec('ModelChunk', ModelChunk, MAX_MODEL_CHUNK_BYTES + 64)
} as const

export type WireMessageName = keyof typeof WIRE
