// Length-prefixed protobuf framing over one libp2p stream, with a byte ceiling on every read.
import { InvalidDataLengthError, InvalidDataLengthLengthError, lpStream } from '@libp2p/utils'
import type { LengthPrefixedStream } from '@libp2p/utils'
import type { Stream } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'
import type { WireCodec } from '../../protocol/messages/index.ts'

/**
 * Every read has a largest frame it accepts: the stream's default bound
 * (what the handler or request was opened with), or a bound the read passes
 * itself, e.g. for ciphertext chunks; either way never above the codec's
 * own ceiling. The length prefix is checked before any payload byte is
 * buffered, so an oversized frame costs the sender, not us.
 *
 * One lpStream serves the whole exchange and its length decoder reads the
 * current bound on every frame. (Re-wrapping the stream per bound would hand
 * buffered bytes back with unshift(), which throws once the remote has
 * closed, losing frames that had already arrived.)
 */
export class FramedStream {
  readonly stream: Stream
  readonly #readTimeoutMs: number | undefined
  readonly #lp: LengthPrefixedStream<Stream>
  readonly #defaultMaxDataLength: number
  /** The bound of the read in progress, which the length decoder checks. */
  #maxDataLength: number

  /**
   * `maxDataLength` bounds every read that does not pass its own; `readTimeoutMs`
   * bounds each read on its own, inside whatever deadline the caller passes.
   */
  constructor (stream: Stream, maxDataLength: number, readTimeoutMs?: number) {
    this.stream = stream
    this.#readTimeoutMs = readTimeoutMs
    this.#defaultMaxDataLength = maxDataLength
    this.#maxDataLength = maxDataLength
    this.#lp = lpStream(stream, { lengthDecoder: data => this.#decodeLength(data) })
  }

  async read<T> (codec: WireCodec<T>, options: { signal: AbortSignal, maxDataLength?: number }): Promise<T> {
    const limit = Math.min(options.maxDataLength ?? this.#defaultMaxDataLength, codec.maxDataLength)
    this.#maxDataLength = limit
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

  /**
   * Decodes the unsigned varint length prefix against the current bound.
   * lpStream calls this after every byte and takes a RangeError as "read one
   * more"; its own decoder has no bound on that, so a peer sending endless
   * continuation bytes (0x80-0xff) had every one buffered until the read
   * deadline. Here a prefix longer than the bound's own varint is refused at
   * once, and a complete length above the bound before any payload is read.
   */
  #decodeLength (data: Uint8ArrayList): number {
    const maxLengthLength = varintLength(this.#maxDataLength)
    let value = 0
    for (let i = 0; i < Math.min(data.byteLength, maxLengthLength); i++) {
      const byte = data.get(i)
      value += (byte & 0x7f) * 2 ** (7 * i)
      if (byte < 0x80) {
        if (value > this.#maxDataLength) {
          throw new InvalidDataLengthError(`Message length too long - ${value} > ${this.#maxDataLength}`)
        }
        return value
      }
    }
    if (data.byteLength >= maxLengthLength) {
      throw new InvalidDataLengthLengthError(`Message length length too long - expected at most ${maxLengthLength} bytes, got ${data.byteLength} without an end`)
    }
    throw new RangeError('varint incomplete')
  }
}

/** Bytes of the unsigned varint encoding of `value`: 7 bits per byte. */
function varintLength (value: number): number {
  let bytes = 1
  for (let rest = Math.floor(value / 128); rest > 0; rest = Math.floor(rest / 128)) bytes++
  return bytes
}
