// Fuzzes FramedStream reads: hostile length prefixes and frames, in any chunking, end each read with a message or a typed error, quickly.
import assert from 'node:assert/strict'
import { streamPair } from '@libp2p/utils'
import fc from 'fast-check'
import { WIRE } from '../../../protocol/messages/index.ts'
import type { WireCodec, WireMessageName } from '../../../protocol/messages/index.ts'
import { FramedStream } from '../../../node/streams/framed-stream.ts'
import { concat, expectTypedAsync, FUZZ_TEST_TIMEOUT_MS, fuzzRuns, mutatedBytes, stopFuzzWatchdog, varint } from '../../helpers/fuzz.ts'
import { messageArbitraries } from '../../protocol/messages/arbitraries.ts'

const DECODE_ERRORS = ['MalformedMessageError', 'MessageTooLargeError']
/**
 * @libp2p/utils' framing errors, which FramedStream passes on as they are: a prefix above the
 * read bound, a prefix that never ends, and a stream that ends inside (or instead of) a frame.
 */
const STREAM_ERRORS = ['InvalidDataLengthError', 'InvalidDataLengthLengthError', 'UnexpectedEOFError']

/** Codecs read on real streams: small headers and requests, and the large ciphertext chunks. */
const READ_CODECS: WireMessageName[] = ['SubmissionHeader', 'CiphertextChunk', 'AggregateRequest', 'SignedPayload', 'OpenRoundsRequest', 'SubmitResponse']

function codecOf (name: WireMessageName): WireCodec<unknown> {
  return WIRE[name] as WireCodec<unknown>
}

/** One frame on the wire: well-formed, damaged inside, lying about its length, or a prefix that never ends. */
function frames (name: WireMessageName): fc.Arbitrary<Uint8Array> {
  const encoded = messageArbitraries[name].map(value => codecOf(name).encode(value))
  const framed = (body: Uint8Array): Uint8Array => concat(Uint8Array.from(varint(BigInt(body.length))), body)
  return fc.oneof(
    { weight: 3, arbitrary: encoded.map(framed) },
    { weight: 2, arbitrary: mutatedBytes(encoded).map(framed) },
    { weight: 2, arbitrary: mutatedBytes(encoded.map(framed)) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(0n, 1n, 255n, 256n, 257n, 4096n, 2n ** 21n, 2n ** 31n, 2n ** 53n, 2n ** 63n), fc.uint8Array({ maxLength: 64 })).map(([length, body]) => concat(Uint8Array.from(varint(length)), body)) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 4096 }).map(length => new Uint8Array(length).fill(0x80 | (length & 0x7f))) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 256 }) }
  )
}

/** Cuts `bytes` at the given offsets: the reader must not depend on how the network chunks a stream. */
function chunked (bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const offsets = [...new Set(cuts.map(cut => cut % (bytes.length + 1)))].sort((a, b) => a - b)
  return [0, ...offsets].map((start, i) => bytes.subarray(start, offsets[i] ?? bytes.length)).filter(chunk => chunk.length > 0)
}

describe('node/streams framed-stream (fuzz)', function () {
  this.timeout(FUZZ_TEST_TIMEOUT_MS)
  after(stopFuzzWatchdog)

  /** Sends `wire` in chunks and half-closes, then reads up to `bounds.length` frames; every read must end typed and fast. */
  async function readAll (name: WireMessageName, wire: Uint8Array, cuts: number[], initialBound: number, bounds: Array<number | undefined>): Promise<void> {
    const [outbound, inbound] = await streamPair()
    try {
      for (const chunk of chunked(wire, cuts)) outbound.send(chunk)
      // A half-close: the reader sees the end of the stream after the last byte, not a deadline.
      await outbound.close()
      const framed = new FramedStream(inbound, initialBound, 5_000)
      for (const bound of bounds) {
        const outcome = await expectTypedAsync(`FramedStream.read(${name})`, DECODE_ERRORS, async () =>
          framed.read(codecOf(name), { signal: AbortSignal.timeout(5_000), ...(bound === undefined ? {} : { maxDataLength: bound }) }),
        { foreign: STREAM_ERRORS, rerun: false })
        if (!outcome.ok) break
      }
    } finally {
      outbound.abort(new Error('fuzz case done'))
      inbound.abort(new Error('fuzz case done'))
    }
  }

  const wireOf = (name: WireMessageName): fc.Arbitrary<Uint8Array> => fc.array(frames(name), { minLength: 1, maxLength: 4 }).map(list => concat(...list))

  it('hostile frames in random chunks, one read bound per stream: each read yields a message or a typed error, never waiting for a deadline', async () => {
    const scenario = fc.constantFrom(...READ_CODECS).chain(name => fc.record({
      name: fc.constant(name),
      wire: wireOf(name),
      cuts: fc.array(fc.nat(), { maxLength: 6 }),
      // A bound tighter than the codec's, as callers pass for ciphertext chunks, or the codec's own.
      bound: fc.option(fc.integer({ min: 0, max: 4096 }), { nil: undefined })
    }))
    await fc.assert(fc.asyncProperty(scenario, async ({ name, wire, cuts, bound }) => {
      const limit = Math.min(bound ?? codecOf(name).maxDataLength, codecOf(name).maxDataLength)
      await readAll(name, wire, cuts, limit, Array<number | undefined>(5).fill(bound))
    }), fuzzRuns(100))
  })

  // Regression: FramedStream once re-framed with lpStream(unwrap()) when the bound changed, and
  // unwrap() threw once the remote had half-closed, losing frames that had already arrived.
  it('changing the read bound between reads after the remote half-closed keeps the unread frames', async () => {
    const header = WIRE.AggregateResponseHeader.encode({ status: 'ready', ciphertextCount: 1, ciphertextWidth: 512, chunkCount: 1, errorName: '', errorMessage: '' })
    const chunk = WIRE.CiphertextChunk.encode({ index: 0, ciphertexts: new Uint8Array(512).fill(1) })
    const framedBody = (body: Uint8Array): Uint8Array => concat(Uint8Array.from(varint(BigInt(body.length))), body)
    const [aggregator, coordinator] = await streamPair()
    try {
      aggregator.send(concat(framedBody(header), framedBody(chunk)))
      await aggregator.close()
      await new Promise(resolve => setTimeout(resolve, 20))
      const framed = new FramedStream(coordinator, WIRE.AggregateResponseHeader.maxDataLength)
      const signal = AbortSignal.timeout(5_000)
      assert.equal((await framed.read(WIRE.AggregateResponseHeader, { signal })).status, 'ready')
      assert.equal((await framed.read(WIRE.CiphertextChunk, { signal, maxDataLength: 64 * 512 + 64 })).ciphertexts.length, 512)
    } finally {
      aggregator.abort(new Error('test done'))
      coordinator.abort(new Error('test done'))
    }
  })

  it('hostile frames with the read bound changing between reads (re-framing): typed errors only', async () => {
    const scenario = fc.constantFrom(...READ_CODECS).chain(name => fc.record({
      name: fc.constant(name),
      wire: wireOf(name),
      cuts: fc.array(fc.nat(), { maxLength: 6 }),
      bounds: fc.array(fc.option(fc.integer({ min: 0, max: 4096 }), { nil: undefined }), { minLength: 5, maxLength: 5 })
    }))
    await fc.assert(fc.asyncProperty(scenario, async ({ name, wire, cuts, bounds }) => {
      await readAll(name, wire, cuts, codecOf(name).maxDataLength, bounds)
    }), fuzzRuns(100))
  })
})
