// Ciphertext transfer: senders cap chunks at the protocol's frame limit, receivers take any chunk up to it.
import assert from 'node:assert/strict'
import { streamPair } from '@libp2p/utils'
import { MAX_CHUNK_CIPHERTEXT_BYTES } from '../../../protocol/messages/index.ts'
import { planCiphertextChunks, receiveCiphertexts, sendCiphertexts } from '../../../node/streams/ciphertext-transfer.ts'
import { FramedStream } from '../../../node/streams/framed-stream.ts'

/** Ciphertext bytes of a 3072-bit key (n² is 6144 bits). */
const WIDTH = 768

describe('node/streams/ciphertext-transfer', () => {
  it('sends the configured chunk size while it fits a CiphertextChunk, and the frame limit beyond', () => {
    assert.deepEqual(planCiphertextChunks(130, WIDTH, 64), [64, 64, 2])
    const perFrame = Math.floor(MAX_CHUNK_CIPHERTEXT_BYTES / WIDTH)
    assert.equal(perFrame, 1365)
    assert.deepEqual(planCiphertextChunks(3000, WIDTH, 2048), [perFrame, perFrame, 3000 - 2 * perFrame])
  })

  it('receives chunks of any size up to the frame limit, whatever the receiver would send itself', async () => {
    const [outbound, inbound] = await streamPair()
    const signal = AbortSignal.timeout(10_000)
    const count = 1400
    const bytes = new Uint8Array(count * WIDTH).map((_, i) => i % 251)
    const chunks = planCiphertextChunks(count, WIDTH, 2048)
    assert.deepEqual(chunks, [1365, 35])
    // A small stream default (a handler's 16 KiB) must not cap the chunk reads.
    const receiver = new FramedStream(inbound, 16 * 1024)
    const [received] = await Promise.all([
      receiveCiphertexts(receiver, { ciphertextCount: count, ciphertextWidth: WIDTH, chunkCount: chunks.length },
        { ciphertextCount: count, ciphertextWidth: WIDTH }, signal),
      sendCiphertexts(new FramedStream(outbound, 16 * 1024), bytes, WIDTH, chunks, signal)
    ])
    assert.deepEqual(received, bytes)
  })
})
