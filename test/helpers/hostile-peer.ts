// Test helpers for driving an admitted roster member by hand: raw submit streams, hand-built submissions, outcomes.
import { publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { PublishConfigType } from '@libp2p/gossipsub/types'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { randomBytes } from 'node:crypto'
import type { PeerId, PrivateKey, Stream } from '@libp2p/interface'
import { TAG_KEY_BYTES, deriveTags, encodeAndPack, withTags } from '../../protocol/encoding/index.ts'
import { PROTOCOLS, WIRE } from '../../protocol/messages/index.ts'
import type { SubmissionHeader, SubmitResponse, TagKeyResponse } from '../../protocol/messages/index.ts'
import { roundBinding, signSubmissionStatement, signTagKey, submissionStatement, tagKeyMessage } from '../../protocol/round/index.ts'
import { loadIdentity } from '../../node/identity.ts'
import { encodeCiphertexts, encryptOneOff } from '../../protocol/paillier/index.ts'
import { FramedStream } from '../../node/streams/framed-stream.ts'
import { ciphertextDigest } from '../../node/streams/ciphertext-transfer.ts'
import type { RunningNode } from '../../node/running-node.ts'
import type { ClientService } from '../../node/services/client.ts'
import { waitUntil } from './federation.ts'

/** How long the attacker waits for any answer: well past every aggregator deadline used in tests. */
export const ATTACKER_PATIENCE_MS = 15_000

/**
 * Opens /fedagg/submit/1.0.0 from `attacker` to `target` over the attacker's
 * connection. The attacker's own outbound cap is lifted, so that only the
 * target's inbound limit decides how many streams get through.
 */
export async function openSubmitStream (attacker: RunningNode, target: RunningNode, signal: AbortSignal): Promise<Stream> {
  return attacker.libp2p.dialProtocol(multiaddr(target.multiaddrs()[0]!), PROTOCOLS.submit, {
    signal,
    maxOutboundStreams: 10_000
  })
}

/** A round as a client interprets its announcement (key, spec, packing plan, ciphertext width). */
export type AnnouncedRound = ReturnType<ClientService['knownRounds']>[number]

/** A complete submission as the client service would build it: header fields and the ciphertext bytes. */
export interface BuiltSubmission {
  header: SubmissionHeader
  bytes: Uint8Array<ArrayBuffer>
}

/**
 * Encodes, packs and encrypts `values` for `round`, in `chunkCount` chunks (one ciphertext each by
 * default). Its tag slots are empty and its header carries no statement: enough for every refusal
 * that comes before the aggregator checks statements; see countableSubmission for one it accepts.
 */
export function buildSubmission (round: AnnouncedRound, values: readonly number[], chunkCount = round.plan.ciphertexts): BuiltSubmission {
  return encryptPlaintexts(round, encodeAndPack(round.spec, round.plan, values), chunkCount)
}

/** Encrypts `plaintexts` one-off and wraps them in a truthful header. */
export function encryptPlaintexts (round: AnnouncedRound, plaintexts: readonly bigint[], chunkCount = round.plan.ciphertexts): BuiltSubmission {
  const ciphertexts = plaintexts.map(m => encryptOneOff(round.publicKey, m))
  return withCiphertextBytes(round, Uint8Array.from(encodeCiphertexts(round.publicKey, ciphertexts)), chunkCount)
}

/** `submission` with `node`'s signed statement for its digest in `round` in the header, as the client service sends it. */
export async function withStatement (node: RunningNode, round: AnnouncedRound, submission: BuiltSubmission): Promise<BuiltSubmission> {
  const statement = await signSubmissionStatement(await loadIdentity(node.dataDir), submissionStatement(roundBinding(round), node.peerId, submission.header.digest))
  return { ...submission, header: { ...submission.header, roundId: round.announcement.roundId, statement } }
}

/** Sends `node`'s signed tag key for `round` to the coordinator over /fedagg/tagkey/1.0.0 and returns the answer. */
export async function sendTagKey (node: RunningNode, coordinator: RunningNode, round: AnnouncedRound, tagKey: Uint8Array): Promise<TagKeyResponse> {
  const signed = await signTagKey(await loadIdentity(node.dataDir), tagKeyMessage(roundBinding(round), node.peerId, tagKey))
  const signal = AbortSignal.timeout(ATTACKER_PATIENCE_MS)
  const stream = await node.libp2p.dialProtocol(multiaddr(coordinator.multiaddrs()[0]!), PROTOCOLS.tagkey, { signal })
  const framed = new FramedStream(stream, WIRE.TagKeyResponse.maxDataLength)
  await framed.write(WIRE.SignedPayload, signed, { signal })
  const response = await framed.read(WIRE.TagKeyResponse, { signal })
  await stream.close({ signal })
  return response
}

/**
 * A submission the coordinator will count, built by hand as the client service builds it: tagged
 * under a fresh tag key that the coordinator has stored, with `node`'s signed statement. `tamper`
 * may change the packed plaintexts before they are tagged, as a hostile client that keeps its own
 * tags right would.
 */
export async function countableSubmission (node: RunningNode, coordinator: RunningNode, round: AnnouncedRound, values: readonly number[],
  tamper: (plaintexts: bigint[]) => bigint[] = plaintexts => plaintexts): Promise<BuiltSubmission> {
  const tagKey = randomBytes(TAG_KEY_BYTES)
  const stored = await sendTagKey(node, coordinator, round, tagKey)
  if (!stored.accepted) throw new Error(`the coordinator refused the tag key: ${stored.errorName}: ${stored.errorMessage}`)
  const { federationId, roundId } = round.announcement
  const plaintexts = withTags(round.plan, tamper(encodeAndPack(round.spec, round.plan, values)), deriveTags(tagKey, federationId, roundId, round.plan.ciphertexts))
  return withStatement(node, round, encryptPlaintexts(round, plaintexts))
}

/** A header that truthfully describes `bytes` (count, width, digest) for `round`. */
export function withCiphertextBytes (round: AnnouncedRound, bytes: Uint8Array<ArrayBuffer>, chunkCount = round.plan.ciphertexts): BuiltSubmission {
  return {
    header: {
      roundId: round.announcement.roundId,
      keyFingerprint: round.publicKey.fingerprint,
      ciphertextCount: bytes.length / round.ciphertextWidth,
      ciphertextWidth: round.ciphertextWidth,
      chunkCount,
      digest: Uint8Array.from(ciphertextDigest(bytes))
    },
    bytes
  }
}

/** Writes the header and the bytes as `header.chunkCount` even chunks of whole ciphertexts. */
export async function writeSubmission (framed: FramedStream, submission: BuiltSubmission, signal: AbortSignal): Promise<void> {
  const { header, bytes } = submission
  await framed.write(WIRE.SubmissionHeader, header, { signal })
  const perChunk = Math.ceil(header.ciphertextCount / header.chunkCount) * header.ciphertextWidth
  for (let index = 0; index < header.chunkCount; index++) {
    await framed.write(WIRE.CiphertextChunk, { index, ciphertexts: bytes.subarray(index * perChunk, (index + 1) * perChunk) }, { signal })
  }
}

/** What the target did with a stream: answered (accepted or with a typed refusal), or reset it. */
export type StreamOutcome =
  | { kind: 'answered', response: SubmitResponse, elapsedMs: number }
  | { kind: 'reset', error: Error, elapsedMs: number }

/**
 * Runs `attack` on a fresh submit stream and reads the SubmitResponse. A
 * failure counts as a reset only if the target really sent one (libp2p then
 * marks the stream 'reset'); the attacker's own timeout, or the target just
 * closing without an answer, is an error: the target must answer or reset.
 */
export async function submitStreamOutcome (attacker: RunningNode, target: RunningNode,
  attack: (stream: Stream, framed: FramedStream, signal: AbortSignal) => Promise<void>): Promise<StreamOutcome> {
  const started = Date.now()
  const signal = AbortSignal.timeout(ATTACKER_PATIENCE_MS)
  let stream: Stream | undefined
  try {
    stream = await openSubmitStream(attacker, target, signal)
    const framed = new FramedStream(stream, WIRE.SubmitResponse.maxDataLength)
    await attack(stream, framed, signal)
    const response = await framed.read(WIRE.SubmitResponse, { signal })
    await stream.close({ signal })
    return { kind: 'answered', response, elapsedMs: Date.now() - started }
  } catch (err) {
    if (signal.aborted) throw new Error(`the target neither answered nor reset the stream within ${ATTACKER_PATIENCE_MS} ms`, { cause: err })
    // A reset can also arrive while the protocol is still being negotiated, before we hold the stream.
    const reset = stream === undefined ? (err as Error).name === 'StreamResetError' : stream.status === 'reset'
    if (!reset) throw err
    return { kind: 'reset', error: err as Error, elapsedMs: Date.now() - started }
  }
}

/** Sends a well-framed submission and returns the answer. */
export async function sendSubmission (attacker: RunningNode, target: RunningNode, submission: BuiltSubmission): Promise<StreamOutcome> {
  return submitStreamOutcome(attacker, target, async (_stream, framed, signal) => { await writeSubmission(framed, submission, signal) })
}

/** The round as `client` learned it from the coordinator's announcement. */
export async function announcedRound (client: RunningNode, roundId: string): Promise<AnnouncedRound> {
  const service = client.libp2p.services.client
  if (service === undefined) throw new Error(`${client.peerId} is not a client`)
  let round: AnnouncedRound | undefined
  await waitUntil(() => (round = service.knownRounds().find(known => known.announcement.roundId === roundId)) !== undefined,
    `${client.peerId} to learn of round ${roundId}`)
  return round!
}

/** Inbound streams of `protocol` that `node` currently holds from `peer`. */
export function inboundStreams (node: RunningNode, peer: RunningNode, protocol: string): number {
  return node.libp2p.getConnections(peerIdFromString(peer.peerId))
    .flatMap(connection => connection.streams)
    .filter(stream => stream.direction === 'inbound' && stream.protocol === protocol).length
}

/** Sum of one Prometheus counter over the series whose labels match `labels` (all series when omitted). */
export async function counterValue (node: RunningNode, metric: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await node.metrics.render()
  let sum = 0
  for (const match of text.matchAll(new RegExp(`^${metric}(?:\\{([^}]*)\\})? (\\d+(?:\\.\\d+)?)$`, 'gm'))) {
    const series = Object.fromEntries([...(match[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map(([, key, value]) => [key, value]))
    if (Object.entries(labels).every(([key, value]) => series[key] === value)) sum += Number(match[2])
  }
  return sum
}

/** The unsigned varint encoding of `value` (protobuf / multiformats), up to 2^53 - 1. */
export function varint (value: number): Uint8Array {
  const bytes: number[] = []
  let rest = value
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80)
    rest = Math.floor(rest / 0x80)
  }
  bytes.push(rest)
  return Uint8Array.from(bytes)
}

/** Writes raw bytes in 64 KiB pieces, waiting for drain; fails as soon as the stream is closed or reset. */
export async function sendRaw (stream: Stream, bytes: Uint8Array, signal: AbortSignal): Promise<void> {
  for (let offset = 0; offset < bytes.length; offset += 64 * 1024) {
    if (stream.send(bytes.subarray(offset, offset + 64 * 1024))) continue
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error): void => {
        stream.removeEventListener('drain', onDrain)
        stream.removeEventListener('close', onClose)
        signal.removeEventListener('abort', onAbort)
        if (err === undefined) resolve()
        else reject(err)
      }
      const onDrain = (): void => { done() }
      const onClose = (): void => { done(new Error(`stream ${stream.status} while sending`)) }
      const onAbort = (): void => { done(signal.reason as Error) }
      stream.addEventListener('drain', onDrain)
      stream.addEventListener('close', onClose)
      signal.addEventListener('abort', onAbort)
    })
  }
}

/**
 * Publishes on `node`'s gossipsub as if `author` wrote it, signing the gossip
 * envelope with `key`, by swapping gossipsub's publish identity for one call:
 * a member relaying someone else's message, or forging its author field.
 */
export async function publishAs (node: RunningNode, key: PrivateKey, author: PeerId, topic: string, data: Uint8Array): Promise<void> {
  const pubsub = node.libp2p.services.pubsub
  const internals = pubsub as unknown as { publishConfig: unknown }
  const own = internals.publishConfig
  internals.publishConfig = { type: PublishConfigType.Signing, author, key: publicKeyToProtobuf(key.publicKey), privateKey: key }
  try {
    await pubsub.publish(topic, data)
  } finally {
    internals.publishConfig = own
  }
}
