// VectorDecryptor: the coordinator's decryption of an aggregate: short vectors on the calling thread, long ones on a worker pool made once a round needs it.
import { assertAllCoprimeToModulus, ciphertextByteLength, decodeCiphertexts, decrypt } from '../../protocol/paillier/index.ts'
import type { PaillierPrivateKey } from '../../protocol/paillier/index.ts'
import type { DecryptionPath } from '../metrics/metrics.ts'
import { DecryptionPool } from './decrypt-pool.ts'
import { DecryptorClosedError } from './errors.ts'

/**
 * Up to this many ciphertexts are decrypted on the calling thread: ~2.4 ms each at 2048 bits (~7 ms
 * at 3072), so at most ~0.15 s (~0.45 s) of event-loop time, and small rounds (most tests among
 * them) start no threads. Longer vectors go to the pool, which costs its threads' start-up once
 * (well under a second) and then decrypts on every core off the event loop: a 100,000-parameter
 * aggregate (1,177 ciphertexts) would otherwise stall gossip and the control API for ~2.8 s.
 */
export const INLINE_DECRYPTION_MAX = 64

/** What the decryptor needs of a worker pool: DecryptionPool, or a stand-in in tests. */
export interface VectorDecryptionPool {
  decryptAll: (ciphertexts: Uint8Array, signal?: AbortSignal) => Promise<bigint[]>
  destroy: () => Promise<void>
}

export interface VectorDecryptorOptions {
  /** Told how many ciphertexts each decrypt() decrypted, and along which path (metrics). */
  onDecrypted?: (path: DecryptionPath, count: number) => void
  /**
   * Makes the pool, on the first vector longer than INLINE_DECRYPTION_MAX.
   * @default privateKey => new DecryptionPool(privateKey), os.availableParallelism() threads
   */
  createPool?: (privateKey: PaillierPrivateKey) => VectorDecryptionPool
}

/**
 * Decrypts aggregates under one private key. Every check (width, 0 < c < n², one gcd for the
 * invertibility of the whole vector) runs on the calling thread before any decryption, along
 * either path, so refusals are typed errors and never carry a decrypted value. The pool lives
 * until close(), so later rounds reuse its threads.
 */
export class VectorDecryptor {
  readonly #privateKey: PaillierPrivateKey
  readonly #options: VectorDecryptorOptions
  #pool: VectorDecryptionPool | undefined
  #closed = false

  constructor (privateKey: PaillierPrivateKey, options: VectorDecryptorOptions = {}) {
    this.#privateKey = privateKey
    this.#options = options
  }

  /**
   * Starts the pool's threads now if an aggregate of `ciphertexts` will need them, so their
   * start-up (module load and key checks: ~0.35 s of CPU per thread, 2048 or 3072 bits) overlaps the round
   * instead of delaying its result. Short vectors need no threads: nothing is started for them.
   */
  prepare (ciphertexts: number): void {
    if (this.#closed || ciphertexts <= INLINE_DECRYPTION_MAX) return
    this.#ensurePool()
  }

  /**
   * The plaintexts of concatenated fixed-width ciphertexts, in order. Aborting rejects a pool
   * decryption at once with signal.reason; an inline one is short and runs to its end.
   */
  async decrypt (ciphertexts: Uint8Array, signal?: AbortSignal): Promise<bigint[]> {
    if (this.#closed) throw new DecryptorClosedError('the decryptor is closed: its node has stopped')
    signal?.throwIfAborted()
    const width = ciphertextByteLength(this.#privateKey.publicKey)
    // A ragged length goes the inline way too, whose decoding refuses it without starting threads.
    if (ciphertexts.byteLength % width !== 0 || ciphertexts.byteLength / width <= INLINE_DECRYPTION_MAX) {
      const values = decodeCiphertexts(this.#privateKey.publicKey, ciphertexts)
      assertAllCoprimeToModulus(this.#privateKey.publicKey, values)
      const plaintexts = values.map(c => decrypt(this.#privateKey, c))
      this.#options.onDecrypted?.('inline', plaintexts.length)
      return plaintexts
    }
    const plaintexts = await this.#ensurePool().decryptAll(ciphertexts, signal)
    this.#options.onDecrypted?.('pool', plaintexts.length)
    return plaintexts
  }

  #ensurePool (): VectorDecryptionPool {
    this.#pool ??= (this.#options.createPool ?? (key => new DecryptionPool(key)))(this.#privateKey)
    return this.#pool
  }

  /** Destroys the pool, if one was made (a decryption still on it rejects). Final. */
  async close (): Promise<void> {
    this.#closed = true
    const pool = this.#pool
    this.#pool = undefined
    await pool?.destroy()
  }
}
