// NoisePool: one client's store of precomputed randomizers h_s^r for one key, filled in the background, each handed out once.
import { bytesToBigint, ciphertextByteLength } from '../../protocol/paillier/index.ts'
import type { PaillierPublicKey } from '../../protocol/paillier/index.ts'
import { InvalidPoolOptionsError, RandomizerBatchError } from './errors.ts'

// Offline/online encryption: E(m) = (1 + m·n) · h_s^r mod n², and only the factor h_s^r (the
// randomizer) costs anything: ~89 products mod n² through the comb at 2048 bits against one product
// for the rest. It does not depend on m, so a client computes randomizers while it waits for a
// round or trains, and a round then costs it one product per ciphertext for as many ciphertexts as
// the pool holds. A randomizer is secret (it is the mask on m) and must never serve twice, so the
// pool lives in memory only, is never written or logged, hands each value out exactly once, and
// zeroes the bytes it held (the bigint handed out is a V8 heap value that cannot be wiped).

/** Where randomizers come from: EncryptionPool.randomizers, or a stand-in in tests. */
export interface RandomizerSource {
  /** `count` randomizers, fixed-width big-endian values of ciphertextByteLength bytes each, in one buffer. */
  randomizers: (count: number, signal?: AbortSignal) => Promise<Uint8Array>
}

export interface NoisePoolOptions {
  /** Randomizers held at most: 2·⌈k/8⌉ bytes each (512 B at 2048 bits, 768 B at 3072). */
  maxEntries: number
  /**
   * Randomizers asked for per background batch: 16 is ~30 ms on one thread at 2048 bits (~75 ms at
   * 3072), so a round that starts meanwhile waits at most that long for the thread.
   * @default 16
   */
  batchSize?: number
  /** Told about a failed background batch; filling stops until the next fill(). */
  onError?: (err: Error) => void
}

const DEFAULT_BATCH_SIZE = 16

export class NoisePool {
  readonly publicKey: PaillierPublicKey
  readonly maxEntries: number
  readonly #source: RandomizerSource
  readonly #batchSize: number
  readonly #width: number
  readonly #onError: (err: Error) => void
  // Each entry is a view of `width` bytes into a batch buffer; taken entries are zeroed and dropped.
  #entries: Uint8Array[] = []
  #target = 0
  #filling: Promise<void> | undefined
  readonly #closed = new AbortController()

  /** Throws InvalidPoolOptionsError unless maxEntries >= 0 and batchSize >= 1 are integers. */
  constructor (publicKey: PaillierPublicKey, source: RandomizerSource, options: NoisePoolOptions) {
    this.publicKey = publicKey
    this.maxEntries = options.maxEntries
    this.#source = source
    this.#batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE
    this.#width = ciphertextByteLength(publicKey)
    this.#onError = options.onError ?? (() => {})
    if (!Number.isSafeInteger(this.maxEntries) || this.maxEntries < 0) throw new InvalidPoolOptionsError(`maxEntries: expected an integer >= 0, got ${String(this.maxEntries)}`)
    if (!Number.isSafeInteger(this.#batchSize) || this.#batchSize < 1) throw new InvalidPoolOptionsError(`batchSize: expected an integer >= 1, got ${String(this.#batchSize)}`)
  }

  /** Randomizers ready to hand out. */
  get size (): number {
    return this.#entries.length
  }

  /** Bytes held by the randomizers ready to hand out. */
  get bytes (): number {
    return this.#entries.length * this.#width
  }

  /**
   * Fills the pool in the background up to min(target, maxEntries) randomizers (the target stays
   * for later refills: the ciphertext count of the round the client expects next). Returns at
   * once; a fill already running adopts the new target.
   */
  fill (target: number = this.maxEntries): void {
    if (this.#closed.signal.aborted) return
    this.#target = Math.min(Math.max(0, Math.floor(target)), this.maxEntries)
    if (this.#filling !== undefined || this.#entries.length >= this.#target) return
    this.#filling = this.#fillLoop().finally(() => { this.#filling = undefined })
  }

  /** Resolves once the background fill (if any) has stopped: full, closed, or failed. */
  async settled (): Promise<void> {
    await this.#filling
  }

  /**
   * Hands out up to `count` randomizers, fewer when the pool holds fewer, and forgets them: their
   * bytes here are zeroed, so no randomizer is ever handed out twice. Refill with fill().
   */
  take (count: number): bigint[] {
    const taken = this.#entries.splice(0, Math.max(0, Math.min(count, this.#entries.length)))
    return taken.map(entry => {
      const randomizer = bytesToBigint(entry, 0, this.#width)
      entry.fill(0)
      return randomizer
    })
  }

  /** Stops filling, waits for a batch in flight, and zeroes every randomizer held. Final. */
  async close (): Promise<void> {
    this.#closed.abort()
    await this.#filling
    this.#discard()
  }

  async #fillLoop (): Promise<void> {
    const signal = this.#closed.signal
    while (!signal.aborted && this.#entries.length < this.#target) {
      const count = Math.min(this.#batchSize, this.#target - this.#entries.length)
      let batch: Uint8Array
      try {
        batch = await this.#source.randomizers(count, signal)
      } catch (err) {
        if (!signal.aborted) this.#onError(err as Error)
        return
      }
      if (signal.aborted || batch.byteLength !== count * this.#width) {
        batch.fill(0)
        if (!signal.aborted) this.#onError(new RandomizerBatchError(`expected ${count * this.#width} bytes, got ${batch.byteLength}`))
        return
      }
      for (let offset = 0; offset < batch.byteLength; offset += this.#width) {
        const entry = batch.subarray(offset, offset + this.#width)
        // take() may have run while the batch was computed, or the target shrunk: keep within maxEntries.
        if (this.#entries.length < this.maxEntries) this.#entries.push(entry)
        else entry.fill(0)
      }
    }
  }

  #discard (): void {
    for (const entry of this.#entries) entry.fill(0)
    this.#entries = []
  }
}
