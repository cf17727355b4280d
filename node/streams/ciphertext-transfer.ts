// Streams a vector of fixed-width ciphertexts as CiphertextChunk frames, and reassembles it with strict shape checks.
import { createHash } from 'node:crypto'
import { FedaggError } from '../../protocol/errors.ts'
import { WIRE } from '../../protocol/messages/index.ts'
import type { FramedStream } from './framed-stream.ts'

/** A peer sent chunks that do not add up to the announced shape. */
export class CiphertextStreamShapeError extends FedaggError {
  static override name = 'CiphertextStreamShapeError'
}

/** Protobuf framing of one CiphertextChunk around its payload: tag, length and index fields. */
const CHUNK_FRAMING_BYTES = 32

export function chunkCountFor (ciphertextCount: number, chunkCiphertexts: number): number {
  return Math.ceil(ciphertextCount / chunkCiphertexts)
}

/** SHA-256 over the concatenated ciphertext bytes: the digest receipts and transcripts name. */
export function ciphertextDigest (bytes: Uint8Array): Uint8Array {
  return createHash('sha256').update(bytes).digest()
}

export async function sendCiphertexts (framed: FramedStream, bytes: Uint8Array<ArrayBuffer>, width: number,
  chunkCiphertexts: number, signal: AbortSignal): Promise<void> {
  const chunkBytes = chunkCiphertexts * width
  for (let index = 0, offset = 0; offset < bytes.length; index++, offset += chunkBytes) {
    await framed.write(WIRE.CiphertextChunk, { index, ciphertexts: bytes.subarray(offset, offset + chunkBytes) }, { signal })
  }
}

export interface ExpectedCiphertexts {
  ciphertextCount: number
  width: number
  chunkCount: number
  /** Largest number of ciphertexts this reader accepts in one chunk. */
  maxChunkCiphertexts: number
}

/**
 * Reads exactly `chunkCount` chunks, in index order, each holding whole
 * ciphertexts and no more than `maxChunkCiphertexts`, together exactly
 * `ciphertextCount` of them. The frame bound for each read derives from that
 * shape, so memory stays at one vector however the peer frames it.
 */
export async function receiveCiphertexts (framed: FramedStream, expected: ExpectedCiphertexts,
  signal: AbortSignal): Promise<Uint8Array> {
  const { ciphertextCount, width, chunkCount, maxChunkCiphertexts } = expected
  if (chunkCount < 1 || chunkCount > ciphertextCount || chunkCountFor(ciphertextCount, maxChunkCiphertexts) > chunkCount) {
    throw new CiphertextStreamShapeError(
      `expected between ${chunkCountFor(ciphertextCount, maxChunkCiphertexts)} and ${ciphertextCount} chunks for ${ciphertextCount} ciphertexts, got ${chunkCount}`)
  }
  const out = new Uint8Array(ciphertextCount * width)
  const maxDataLength = maxChunkCiphertexts * width + CHUNK_FRAMING_BYTES
  let filled = 0
  for (let index = 0; index < chunkCount; index++) {
    const chunk = await framed.read(WIRE.CiphertextChunk, { signal, maxDataLength })
    if (chunk.index !== index) {
      throw new CiphertextStreamShapeError(`expected chunk ${index}, got chunk ${chunk.index}`)
    }
    const length = chunk.ciphertexts.length
    if (length === 0 || length % width !== 0 || filled + length > out.length) {
      throw new CiphertextStreamShapeError(
        `chunk ${index}: expected a positive multiple of ${width} bytes within ${out.length - filled} remaining, got ${length}`)
    }
    out.set(chunk.ciphertexts, filled)
    filled += length
  }
  if (filled !== out.length) {
    throw new CiphertextStreamShapeError(`expected ${ciphertextCount} ciphertexts, got ${filled / width}`)
  }
  return out
}
