// VectorEncryptor: an encryption path (a client's vectors, an aggregator's zeros): precomputed noise first, then the shared worker pool or one-off powers.
import { encryptOneOff, encryptWithRandomizer, PlaintextOutOfRangeError } from '../../protocol/paillier/index.ts'
import type { PaillierPublicKey } from '../../protocol/paillier/index.ts'
import type { EncryptionPath } from '../metrics/metrics.ts'
import { EncryptorClosedError } from './errors.ts'
import { NoisePool } from './noise-pool.ts'
import type { RandomizerSource } from './noise-pool.ts'
import { leaseEncryptionPool } from './shared-pools.ts'

/**
 * Up to this many ciphertexts are encrypted on the calling thread with one native exponentiation
 * each (~5 ms at 2048 bits, so at most ~0.3 s of event-loop time). Longer vectors go to the worker
 * pool: a client's builds one comb per process (~1.3 s) and then costs ~1.3 ms per ciphertext on
 * every core; an aggregator's has one thread and no comb (~4.6 ms each, see encrypt-pool.ts).
 */
export const ONE_OFF_ENCRYPTION_MAX = 64

export interface VectorEncryptorOptions {
  /** Randomizers precomputed and held per key (config client.noisePool.maxEntries, aggregator.noisePool.maxEntries); 0 turns the noise pool off. */
  noisePoolEntries: number
  /** Told about a failed background fill (logged by the caller; the values are never in it). */
  onError?: (err: Error) => void
  /** Told how many ciphertexts each encrypt() made along each path (metrics). */
  onEncrypted?: (path: EncryptionPath, count: number) => void
  /**
   * Start refilling the noise for the next vector of the same length as soon as encrypt() returns:
   * a client's idle time is while it uploads and trains. An aggregator, whose noise thread keeps the
   * process's priority, refills when it adopts the next round instead (prepare), not while the
   * coordinator decrypts the round it just closed.
   * @default true
   */
  refillAfterEncrypt?: boolean
  /**
   * Where a key's worker pool comes from.
   * @default leaseEncryptionPool (one pool per key per process, shared by every node in it)
   */
  leasePool?: (publicKey: PaillierPublicKey) => PoolLease
}

/** What the encryptor needs of a worker pool: EncryptionPool, or a stand-in in tests. */
export interface VectorPool extends RandomizerSource {
  encryptAll: (plaintexts: readonly bigint[], signal?: AbortSignal) => Promise<bigint[]>
}

/** A hold on a key's pool, released when the encryptor moves to another key or closes. */
export interface PoolLease {
  readonly pool: VectorPool
  release: () => Promise<void>
}

interface KeyState {
  publicKey: PaillierPublicKey
  lease: PoolLease
  noise: NoisePool
}

/**
 * Encrypts a client's packed plaintexts under the current round's key. prepare() on each
 * announcement warms everything the round will need: it leases the process's worker pool for the
 * key (its workers build their comb now, not when the values arrive) and fills a noise pool with as
 * many randomizers as the round has ciphertexts. encrypt() then spends one product per ciphertext
 * for every randomizer ready and sends only the rest through the comb. Keeps one key at a time: a
 * new key drops the old key's noise (zeroed) and its pool lease.
 */
export class VectorEncryptor {
  readonly #options: VectorEncryptorOptions
  #current: KeyState | undefined
  #closed = false

  constructor (options: VectorEncryptorOptions) {
    this.#options = options
  }

  /** Randomizers ready for the current key (0 when none). */
  get noiseReady (): number {
    return this.#current?.noise.size ?? 0
  }

  /** The noise pool of the current key, for tests and the benchmark. */
  get noise (): NoisePool | undefined {
    return this.#current?.noise
  }

  /**
   * Gets ready to encrypt `ciphertexts` values under publicKey, in the background. Vectors short
   * enough for one-off encryption need no threads: nothing is started for them.
   */
  prepare (publicKey: PaillierPublicKey, ciphertexts: number): void {
    if (this.#closed || ciphertexts <= ONE_OFF_ENCRYPTION_MAX) return
    this.#state(publicKey).noise.fill(ciphertexts)
  }

  /** E(m) for every plaintext (each in [0, n), else PlaintextOutOfRangeError before any is encrypted), in order. */
  async encrypt (publicKey: PaillierPublicKey, plaintexts: readonly bigint[], signal?: AbortSignal): Promise<bigint[]> {
    signal?.throwIfAborted()
    plaintexts.forEach((m, i) => {
      if (typeof m !== 'bigint' || m < 0n || m >= publicKey.n) throw new PlaintextOutOfRangeError(`expected plaintext ${i} in [0, n)`)
    })
    const current = this.#current?.publicKey.fingerprint === publicKey.fingerprint ? this.#current : undefined
    const randomizers = current?.noise.take(plaintexts.length) ?? []
    const online = randomizers.map((randomizer, i) => encryptWithRandomizer(publicKey, plaintexts[i]!, randomizer))
    const rest = plaintexts.slice(online.length)
    const oneOff = rest.length <= ONE_OFF_ENCRYPTION_MAX
    const offline = oneOff ? rest.map(m => encryptOneOff(publicKey, m)) : await this.#state(publicKey).lease.pool.encryptAll(rest, signal)
    this.#options.onEncrypted?.('noise', online.length)
    this.#options.onEncrypted?.(oneOff ? 'one-off' : 'pool', offline.length)
    // Refill for the next round of this shape while the client uploads and trains.
    if (plaintexts.length > ONE_OFF_ENCRYPTION_MAX && this.#options.refillAfterEncrypt !== false) this.prepare(publicKey, plaintexts.length)
    return [...online, ...offline]
  }

  /** Zeroes the noise, releases the pool lease. Final. */
  async close (): Promise<void> {
    this.#closed = true
    await this.#drop()
  }

  #state (publicKey: PaillierPublicKey): KeyState {
    if (this.#closed) throw new EncryptorClosedError('the encryptor is closed: its node has stopped')
    if (this.#current?.publicKey.fingerprint === publicKey.fingerprint) return this.#current
    // Another key: its noise would be useless, and it is secret, so drop it now (in the background).
    this.#drop().catch(err => { this.#options.onError?.(err as Error) })
    const lease = (this.#options.leasePool ?? leaseEncryptionPool)(publicKey)
    const noise = new NoisePool(publicKey, lease.pool, {
      maxEntries: this.#options.noisePoolEntries,
      ...(this.#options.onError === undefined ? {} : { onError: this.#options.onError })
    })
    this.#current = { publicKey, lease, noise }
    return this.#current
  }

  async #drop (): Promise<void> {
    const old = this.#current
    this.#current = undefined
    if (old === undefined) return
    await old.noise.close()
    await old.lease.release()
  }
}
