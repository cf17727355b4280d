// Streams a vector of fixed-width ciphertexts as CiphertextChunk frames, and reassembles one under protocol/round's shape rules.
import { createHash } from 'node:crypto'
import { WIRE } from '../../protocol/messages/index.ts'
import { CHUNKS_START, acceptChunk, checkCiphertextShape } from '../../protocol/round/index.ts'
import type { CiphertextShape } from '../../protocol/round/index.ts'
import type { FramedStream } from './framed-stream.ts'

/** Protobuf framing of one CiphertextChunk around its payload: tag, length and index fields. */
const CHUNK_FRAMING_BYTES = 32

export function chunkCountFor (ciphertextCount: number, chunkCiphertexts: number): number {
  return Math.ceil(ciphertextCount / chunkCiphertexts)
}

/** SHA-256 over the concatenated ciphertext bytes: the digest receipts and transcripts name. */
export function ciphertextDigest (bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(createHash('sha256').update(bytes).digest())
}

export async function sendCiphertexts (framed: FramedStream, bytes: Uint8Array<ArrayBuffer>, width: number,
  chunkCiphertexts: number, signal: AbortSignal): Promise<void> {
  const chunkBytes = chunkCiphertexts * width
  for (let index = 0, offset = 0; offset < bytes.length; index++, offset += chunkBytes) {
    await framed.write(WIRE.CiphertextChunk, { index, ciphertexts: bytes.subarray(offset, offset + chunkBytes) }, { signal })
  }
}

/**
 * Reads the chunks a header announced (`shape`, already checked against what
 * the round expects) and returns the ciphertext bytes. Each read is bounded by
 * `maxChunkBytes`, so memory stays at one vector however the peer frames it.
 */
export async function receiveCiphertexts (framed: FramedStream, shape: CiphertextShape, maxChunkBytes: number,
  signal: AbortSignal): Promise<Uint8Array<ArrayBuffer>> {
  checkCiphertextShape(shape, shape, maxChunkBytes)
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
