// Ciphertext stream shape: planned chunks always pass the receiver's checks; anything else is a SubmissionShapeError.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { acceptChunk, checkCiphertextShape, CHUNKS_START, planChunks } from '../../../protocol/round/index.ts'
import type { CiphertextShape, ChunkProgress } from '../../../protocol/round/index.ts'

function chunkOf (index: number, ciphertexts: number, width: number): { index: number, ciphertexts: Uint8Array<ArrayBuffer> } {
  return { index, ciphertexts: new Uint8Array(ciphertexts * width) }
}

describe('protocol/round chunks', () => {
  it('plans full chunks of whole ciphertexts and a remainder', () => {
    assert.deepEqual(planChunks(10, 300, 1000), [3, 3, 3, 1])
    assert.deepEqual(planChunks(3, 768), [3])
    assert.deepEqual(planChunks(1366, 768), [1365, 1])
    assert.throws(() => planChunks(3, 2000, 1000), { name: 'SubmissionShapeError' })
  })

  it('receives any planned stream completely (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 800 }), fc.integer({ min: 800, max: 20_000 }), (count, width, maxChunkBytes) => {
      const plan = planChunks(count, width, maxChunkBytes)
      const shape: CiphertextShape = { ciphertextCount: count, ciphertextWidth: width, chunkCount: plan.length }
      checkCiphertextShape(shape, { ciphertextCount: count, ciphertextWidth: width }, maxChunkBytes)
      let progress: ChunkProgress = CHUNKS_START
      plan.forEach((n, index) => { progress = acceptChunk(shape, progress, chunkOf(index, n, width), maxChunkBytes) })
      assert.deepEqual(progress, { nextIndex: plan.length, receivedCiphertexts: count })
    }), { numRuns: 200 })
  })

  describe('checkCiphertextShape', () => {
    const expected = { ciphertextCount: 10, ciphertextWidth: 300 }
    it('accepts chunk counts from the fewest allowed to one per ciphertext', () => {
      for (const chunkCount of [4, 7, 10]) {
        assert.doesNotThrow(() => { checkCiphertextShape({ ...expected, chunkCount }, expected, 1000) })
      }
    })

    it('refuses wrong counts, widths, and chunk counts outside that range', () => {
      assert.throws(() => { checkCiphertextShape({ ciphertextCount: 9, ciphertextWidth: 300, chunkCount: 4 }, expected, 1000) }, { name: 'SubmissionShapeError', message: /ciphertextCount/ })
      assert.throws(() => { checkCiphertextShape({ ciphertextCount: 10, ciphertextWidth: 301, chunkCount: 4 }, expected, 1000) }, { name: 'SubmissionShapeError', message: /ciphertextWidth/ })
      assert.throws(() => { checkCiphertextShape({ ...expected, chunkCount: 3 }, expected, 1000) }, { name: 'SubmissionShapeError', message: /chunkCount/ })
      assert.throws(() => { checkCiphertextShape({ ...expected, chunkCount: 11 }, expected, 1000) }, { name: 'SubmissionShapeError', message: /chunkCount/ })
      assert.throws(() => { checkCiphertextShape({ ...expected, chunkCount: 0 }, expected, 1000) }, { name: 'SubmissionShapeError' })
    })
  })

  describe('acceptChunk', () => {
    const shape: CiphertextShape = { ciphertextCount: 10, ciphertextWidth: 300, chunkCount: 4 }
    const after = (...counts: number[]): ChunkProgress => counts.reduce((p, n, i) => acceptChunk(shape, p, chunkOf(i, n, 300), 1000), CHUNKS_START)

    it('refuses chunks out of order, partial ciphertexts, empty and oversized chunks', () => {
      assert.throws(() => acceptChunk(shape, CHUNKS_START, chunkOf(1, 3, 300), 1000), { name: 'SubmissionShapeError', message: /index/ })
      assert.throws(() => acceptChunk(shape, CHUNKS_START, { index: 0, ciphertexts: new Uint8Array(299) }, 1000), { name: 'SubmissionShapeError' })
      assert.throws(() => acceptChunk(shape, CHUNKS_START, chunkOf(0, 0, 300), 1000), { name: 'SubmissionShapeError' })
      assert.throws(() => acceptChunk(shape, CHUNKS_START, chunkOf(0, 4, 300), 1000), { name: 'SubmissionShapeError' })
    })

    it('refuses a chunk that leaves too few ciphertexts for the remaining chunks', () => {
      const tight: CiphertextShape = { ciphertextCount: 4, ciphertextWidth: 300, chunkCount: 3 }
      assert.throws(() => acceptChunk(tight, CHUNKS_START, chunkOf(0, 3, 300), 1000), { name: 'SubmissionShapeError' })
      assert.doesNotThrow(() => acceptChunk(tight, CHUNKS_START, chunkOf(0, 2, 300), 1000))
    })

    it('requires the last chunk to complete the count exactly, and nothing after it', () => {
      assert.throws(() => after(3, 3, 3, 2), { name: 'SubmissionShapeError' })
      assert.throws(() => after(3, 3, 2, 1), { name: 'SubmissionShapeError' })
      const done = after(3, 3, 3, 1)
      assert.deepEqual(done, { nextIndex: 4, receivedCiphertexts: 10 })
      assert.throws(() => acceptChunk(shape, done, chunkOf(4, 1, 300), 1000), { name: 'SubmissionShapeError', message: /no more than 4/ })
    })
  })
})
