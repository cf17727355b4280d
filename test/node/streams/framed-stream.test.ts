// FramedStream: frame bounds on every read, including length prefixes that never end.
import assert from 'node:assert/strict'
import { streamPair } from '@libp2p/utils'
import { WIRE } from '../../../protocol/messages/index.ts'
import { FramedStream } from '../../../node/streams/framed-stream.ts'

describe('FramedStream', () => {
  it('reads back what it writes, at the codec bound', async () => {
    const [outbound, inbound] = await streamPair()
    const signal = AbortSignal.timeout(5_000)
    const request = { roundId: 'r-1' }
    await new FramedStream(outbound, WIRE.AggregateRequest.maxDataLength).write(WIRE.AggregateRequest, request, { signal })
    assert.deepEqual(await new FramedStream(inbound, WIRE.AggregateRequest.maxDataLength).read(WIRE.AggregateRequest, { signal }), request)
  })

  it('bounds every read by the stream\'s default unless the read passes its own, never above the codec\'s ceiling', async () => {
    const [outbound, inbound] = await streamPair()
    const signal = AbortSignal.timeout(5_000)
    const response = { accepted: false, errorName: 'E', errorMessage: 'x'.repeat(300) }
    const writer = new FramedStream(outbound, 64)
    for (let i = 0; i < 3; i++) await writer.write(WIRE.SubmitResponse, response, { signal })
    // SubmitResponse's codec allows 16 KiB; a stream opened with 256 bytes refuses the 300-byte frame by its prefix.
    const framed = new FramedStream(inbound, 256)
    await assert.rejects(framed.read(WIRE.SubmitResponse, { signal }), { name: 'InvalidDataLengthError', message: /> 256$/ })
    const reopened = await streamPair()
    for (let i = 0; i < 2; i++) await new FramedStream(reopened[0], 64).write(WIRE.SubmitResponse, response, { signal })
    const loose = new FramedStream(reopened[1], 256)
    assert.deepEqual(await loose.read(WIRE.SubmitResponse, { signal, maxDataLength: 1024 }), response)
    // A read's own bound never lifts the codec's ceiling.
    await assert.rejects(loose.read(WIRE.AggregateRequest, { signal, maxDataLength: 1024 }), { name: 'InvalidDataLengthError', message: /> 256$/ })
  })

  it('refuses a length prefix longer than the read bound needs after that many bytes, not at the deadline', async () => {
    const [outbound, inbound] = await streamPair()
    // 1 MiB of continuation bytes: a varint that never ends. The 256-byte bound needs 2 prefix bytes.
    outbound.send(new Uint8Array(1024 * 1024).fill(0xff))
    const framed = new FramedStream(inbound, WIRE.AggregateRequest.maxDataLength, 10_000)
    const started = Date.now()
    await assert.rejects(framed.read(WIRE.AggregateRequest, { signal: AbortSignal.timeout(10_000) }), { name: 'InvalidDataLengthLengthError' })
    // Well before the 10 s read deadline (the error name already says it was no timeout).
    assert.ok(Date.now() - started < 5_000)
  })

  it('refuses a terminated prefix above the bound before reading its payload', async () => {
    const [outbound, inbound] = await streamPair()
    outbound.send(Uint8Array.from([0x81, 0x02])) // 257 > 256
    const framed = new FramedStream(inbound, WIRE.AggregateRequest.maxDataLength)
    await assert.rejects(framed.read(WIRE.AggregateRequest, { signal: AbortSignal.timeout(5_000) }), { name: 'InvalidDataLengthError' })
  })
})
