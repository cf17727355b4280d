// Length-prefixed protobuf framing over one libp2p stream, with a byte ceiling on every read.
import { lpStream } from '@libp2p/utils'
import type { LengthPrefixedStream } from '@libp2p/utils'
import type { Stream } from '@libp2p/interface'
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
    this.#lp = lpStream(stream, { maxDataLength })
  }

  async read<T> (codec: WireCodec<T>, options: { signal: AbortSignal, maxDataLength?: number }): Promise<T> {
    const limit = Math.min(options.maxDataLength ?? codec.maxDataLength, codec.maxDataLength)
    if (limit !== this.#maxDataLength) {
      // Re-framing keeps any bytes already buffered: unwrap() hands them back to the stream.
      this.#lp = lpStream(this.#lp.unwrap(), { maxDataLength: limit })
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
