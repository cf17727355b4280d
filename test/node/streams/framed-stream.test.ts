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

  it('refuses a length prefix longer than the read bound needs after that many bytes, not at the deadline', async () => {
    const [outbound, inbound] = await streamPair()
    // 1 MiB of continuation bytes: a varint that never ends. The 256-byte bound needs 2 prefix bytes.
    outbound.send(new Uint8Array(1024 * 1024).fill(0xff))
    const framed = new FramedStream(inbound, WIRE.AggregateRequest.maxDataLength, 10_000)
    const started = Date.now()
    await assert.rejects(framed.read(WIRE.AggregateRequest, { signal: AbortSignal.timeout(10_000) }), { name: 'InvalidDataLengthLengthError' })
    assert.ok(Date.now() - started < 1_000)
  })

  it('refuses a terminated prefix above the bound before reading its payload', async () => {
    const [outbound, inbound] = await streamPair()
    outbound.send(Uint8Array.from([0x81, 0x02])) // 257 > 256
    const framed = new FramedStream(inbound, WIRE.AggregateRequest.maxDataLength)
    await assert.rejects(framed.read(WIRE.AggregateRequest, { signal: AbortSignal.timeout(5_000) }), { name: 'InvalidDataLengthError' })
  })
})
