// Length-prefixed protobuf framing over one libp2p stream, with a byte ceiling on every read.
import { InvalidDataLengthLengthError, lpStream } from '@libp2p/utils'
import type { LengthPrefixedStream } from '@libp2p/utils'
import type { Stream } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'
import type { WireCodec } from '../../protocol/messages/index.ts'

/**
 * Every read states the largest frame it accepts: a small bound while the
 * header is read, a bound derived from the round spec for ciphertext chunks.
 * The length prefix is checked before any payload byte is buffered, so an
 * oversized frame costs the sender, not us.
 */
export class FramedStream {
  readonly stream: Stream
  readonly #readTimeoutMs: number | undefined
  #lp: LengthPrefixedStream<Stream>
  #maxDataLength: number

  /** `readTimeoutMs` bounds each read on its own, inside whatever deadline the caller passes. */
  constructor (stream: Stream, maxDataLength: number, readTimeoutMs?: number) {
    this.stream = stream
    this.#readTimeoutMs = readTimeoutMs
    this.#maxDataLength = maxDataLength
    this.#lp = lpStream(stream, framing(maxDataLength))
  }

  async read<T> (codec: WireCodec<T>, options: { signal: AbortSignal, maxDataLength?: number }): Promise<T> {
    const limit = Math.min(options.maxDataLength ?? codec.maxDataLength, codec.maxDataLength)
    if (limit !== this.#maxDataLength) {
      // Re-framing keeps any bytes already buffered: unwrap() hands them back to the stream.
      this.#lp = lpStream(this.#lp.unwrap(), framing(limit))
      this.#maxDataLength = limit
    }
    const signal = this.#readTimeoutMs === undefined
      ? options.signal
      : AbortSignal.any([options.signal, AbortSignal.timeout(this.#readTimeoutMs)])
    const frame = await this.#lp.read({ signal })
    return codec.decode(frame, { maxDataLength: limit })
  }

  async write<T> (codec: WireCodec<T>, value: T, options: { signal: AbortSignal }): Promise<void> {
    await this.#lp.write(codec.encode(value), options)
  }

  /** Graceful end of our side; the remote still reads what was sent. */
  async close (options: { signal: AbortSignal }): Promise<void> {
    await this.stream.close(options)
  }

  abort (err: Error): void {
    this.stream.abort(err)
  }
}

function framing (maxDataLength: number): { maxDataLength: number, lengthDecoder: (data: Uint8ArrayList) => number } {
  return { maxDataLength, lengthDecoder: boundedVarintDecoder(varintLength(maxDataLength)) }
}

/** Bytes of the unsigned varint encoding of `value`: 7 bits per byte. */
function varintLength (value: number): number {
  let bytes = 1
  for (let rest = Math.floor(value / 128); rest > 0; rest = Math.floor(rest / 128)) bytes++
  return bytes
}

/**
 * Decodes the varint length prefix, refusing one longer than `maxLengthLength`
 * bytes as soon as it is. lpStream's own decoder throws RangeError for an
 * unterminated varint, which lpStream takes as "read one more byte", with no
 * bound: a peer sending endless continuation bytes (0x80-0xff) had every one
 * of them buffered, at ~200 bytes of heap per byte, until the read deadline.
 */
function boundedVarintDecoder (maxLengthLength: number): (data: Uint8ArrayList) => number {
  return data => {
    let value = 0
    for (let i = 0; i < Math.min(data.byteLength, maxLengthLength); i++) {
      const byte = data.get(i)
      value += (byte & 0x7f) * 2 ** (7 * i)
      if (byte < 0x80) return value
    }
    if (data.byteLength >= maxLengthLength) {
      throw new InvalidDataLengthLengthError(`Message length length too long - expected at most ${maxLengthLength} bytes, got ${data.byteLength} without an end`)
    }
    // Incomplete but still within bounds: lpStream reads one more byte and asks again.
    throw new RangeError('varint incomplete')
  }
}
