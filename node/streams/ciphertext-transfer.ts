// Streams a vector of fixed-width ciphertexts as CiphertextChunk frames, and reassembles one under protocol/round's shape rules.
import { createHash } from 'node:crypto'
import { MAX_CHUNK_CIPHERTEXT_BYTES, WIRE } from '../../protocol/messages/index.ts'
import { CHUNKS_START, acceptChunk, checkCiphertextShape, planChunks } from '../../protocol/round/index.ts'
import type { CiphertextShape, ExpectedCiphertexts } from '../../protocol/round/index.ts'
import type { FramedStream } from './framed-stream.ts'

/** Protobuf framing of one CiphertextChunk around its payload: tag, length and index fields. */
const CHUNK_FRAMING_BYTES = 32

/** SHA-256 over the concatenated ciphertext bytes: the digest receipts and transcripts name. */
export function ciphertextDigest (bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(createHash('sha256').update(bytes).digest())
}

/**
 * How a sender splits `count` ciphertexts of `width` bytes: `chunkCiphertexts` per chunk (this
 * node's config), but never more than one CiphertextChunk may carry, since every receiver refuses
 * a larger chunk.
 */
export function planCiphertextChunks (count: number, width: number, chunkCiphertexts: number): number[] {
  return planChunks(count, width, Math.min(chunkCiphertexts * width, MAX_CHUNK_CIPHERTEXT_BYTES))
}

/** Sends `bytes` as consecutive chunks of `chunks[i]` ciphertexts each (a plan from protocol/round's planChunks). */
export async function sendCiphertexts (framed: FramedStream, bytes: Uint8Array<ArrayBuffer>, width: number,
  chunks: readonly number[], signal: AbortSignal): Promise<void> {
  let offset = 0
  for (const [index, count] of chunks.entries()) {
    await framed.write(WIRE.CiphertextChunk, { index, ciphertexts: bytes.subarray(offset, offset + count * width) }, { signal })
    offset += count * width
  }
}

/**
 * Checks the shape a header announced against what the round expects, then
 * reads its chunks and returns the ciphertext bytes. Each read is bounded by
 * the protocol's MAX_CHUNK_CIPHERTEXT_BYTES, not this node's chunk setting: a
 * sender may use any chunk size up to that limit. Memory stays at one vector
 * however the peer frames it.
 */
export async function receiveCiphertexts (framed: FramedStream, shape: CiphertextShape, expected: ExpectedCiphertexts,
  signal: AbortSignal): Promise<Uint8Array<ArrayBuffer>> {
  const maxChunkBytes = MAX_CHUNK_CIPHERTEXT_BYTES
  checkCiphertextShape(shape, expected, maxChunkBytes)
  const out = new Uint8Array(shape.ciphertextCount * shape.ciphertextWidth)
  let progress = CHUNKS_START
  while (progress.nextIndex < shape.chunkCount) {
    const chunk = await framed.read(WIRE.CiphertextChunk, { signal, maxDataLength: maxChunkBytes + CHUNK_FRAMING_BYTES })
    const offset = progress.receivedCiphertexts * shape.ciphertextWidth
    progress = acceptChunk(shape, progress, chunk, maxChunkBytes)
    out.set(chunk.ciphertexts, offset)
  }
  return out
}
