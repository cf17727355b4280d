// Ciphertext stream shape: how many fixed-width ciphertexts travel in how many chunks, for senders and receivers.
import { MAX_CHUNK_CIPHERTEXT_BYTES } from '../messages/index.ts'
import { SubmissionShapeError } from './errors.ts'
import type { CiphertextChunk } from '../messages/index.ts'

/** The counts a SubmissionHeader or AggregateResponseHeader announces for the chunks that follow. */
export interface CiphertextShape {
  ciphertextCount: number
  ciphertextWidth: number
  chunkCount: number
}

/** What the receiver computed from the round (the packing module knows count and width). */
export interface ExpectedCiphertexts {
  ciphertextCount: number
  ciphertextWidth: number
}

/** Ciphertexts per full chunk: as many whole ciphertexts as fit in maxChunkBytes. */
function ciphertextsPerChunk (width: number, maxChunkBytes: number): number {
  const perChunk = Math.floor(maxChunkBytes / width)
  if (!Number.isInteger(width) || width < 1 || perChunk < 1) {
    throw new SubmissionShapeError(`ciphertextWidth: expected 1..${maxChunkBytes} bytes so one ciphertext fits a chunk, got ${width}`)
  }
  return perChunk
}

/**
 * How a sender splits `ciphertextCount` ciphertexts: returns the number of ciphertexts in each
 * chunk (all full but the last). Its length is the chunkCount to announce.
 */
export function planChunks (ciphertextCount: number, ciphertextWidth: number, maxChunkBytes = MAX_CHUNK_CIPHERTEXT_BYTES): number[] {
  const perChunk = ciphertextsPerChunk(ciphertextWidth, maxChunkBytes)
  const plan: number[] = []
  for (let left = ciphertextCount; left > 0; left -= perChunk) plan.push(Math.min(perChunk, left))
  return plan
}

/**
 * Checks an announced shape against what the round expects. chunkCount may be anything from the
 * fewest chunks that respect maxChunkBytes up to one ciphertext per chunk, so senders may choose
 * smaller chunks but can never make the receiver buffer an oversized one.
 */
export function checkCiphertextShape (shape: CiphertextShape, expected: ExpectedCiphertexts, maxChunkBytes = MAX_CHUNK_CIPHERTEXT_BYTES): void {
  if (shape.ciphertextCount !== expected.ciphertextCount || expected.ciphertextCount < 1) {
    throw new SubmissionShapeError(`ciphertextCount: expected ${expected.ciphertextCount}, got ${shape.ciphertextCount}`)
  }
  if (shape.ciphertextWidth !== expected.ciphertextWidth) {
    throw new SubmissionShapeError(`ciphertextWidth: expected ${expected.ciphertextWidth} bytes, got ${shape.ciphertextWidth}`)
  }
  const fewest = Math.ceil(shape.ciphertextCount / ciphertextsPerChunk(shape.ciphertextWidth, maxChunkBytes))
  if (shape.chunkCount < fewest || shape.chunkCount > shape.ciphertextCount) {
    throw new SubmissionShapeError(`chunkCount: expected ${fewest}..${shape.ciphertextCount} for ${shape.ciphertextCount} ciphertexts of ${shape.ciphertextWidth} bytes, got ${shape.chunkCount}`)
  }
}

/** How far a receiver has got through the chunks of one stream. Start from CHUNKS_START. */
export interface ChunkProgress {
  nextIndex: number
  receivedCiphertexts: number
}

export const CHUNKS_START: ChunkProgress = Object.freeze({ nextIndex: 0, receivedCiphertexts: 0 })

/**
 * Checks the next chunk of a stream whose header passed checkCiphertextShape: in order, whole
 * ciphertexts only, never more than announced, and the last chunk completes the count exactly.
 * Returns the progress after it; `nextIndex === shape.chunkCount` means the stream is complete.
 */
export function acceptChunk (shape: CiphertextShape, progress: ChunkProgress, chunk: CiphertextChunk, maxChunkBytes = MAX_CHUNK_CIPHERTEXT_BYTES): ChunkProgress {
  if (progress.nextIndex >= shape.chunkCount) {
    throw new SubmissionShapeError(`chunk: expected no more than ${shape.chunkCount} chunks, got index ${chunk.index}`)
  }
  if (chunk.index !== progress.nextIndex) {
    throw new SubmissionShapeError(`chunk index: expected ${progress.nextIndex}, got ${chunk.index}`)
  }
  const bytes = chunk.ciphertexts.length
  if (bytes === 0 || bytes % shape.ciphertextWidth !== 0 || bytes > maxChunkBytes) {
    throw new SubmissionShapeError(`chunk ${chunk.index}: expected a non-empty multiple of ${shape.ciphertextWidth} bytes up to ${maxChunkBytes}, got ${bytes}`)
  }
  const received = progress.receivedCiphertexts + bytes / shape.ciphertextWidth
  const last = chunk.index === shape.chunkCount - 1
  // Every chunk but the last must leave at least one ciphertext per remaining chunk.
  const room = shape.ciphertextCount - (shape.chunkCount - 1 - chunk.index)
  if (last ? received !== shape.ciphertextCount : received > room) {
    throw new SubmissionShapeError(`chunk ${chunk.index}: expected ${last ? `to complete ${shape.ciphertextCount}` : `at most ${room} in total so far`} ciphertexts, got ${received}`)
  }
  return { nextIndex: chunk.index + 1, receivedCiphertexts: received }
}
