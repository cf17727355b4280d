// EncryptionPool: encrypts whole vectors of packed plaintexts on every core with piscina worker threads sharing one comb table, and makes randomizers in the background.
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { Piscina } from 'piscina'
import { decodeCiphertexts, PlaintextOutOfRangeError, publicKeyToJSON } from '../../protocol/paillier/index.ts'
import type { PaillierPublicKey, PublicKeyJSON } from '../../protocol/paillier/index.ts'
import { BATCHES_IN_FLIGHT_PER_THREAD, mapInBatches, resolvePoolSize } from './batch-lanes.ts'
import type { PoolSizeOptions } from './batch-lanes.ts'
import { InvalidPoolOptionsError, PlaintextBatchWidthError, PoolDestroyedError } from './errors.ts'
import type { CombBuildTask, EncryptionTask, RandomizerTask } from './encrypt-batch.ts'
import { encodePlaintextBatch } from './encrypt-batch.ts'
import { WORKER_NICE_INCREMENT } from './thread-priority.ts'
import { destroyWhenLoaded, workersLoaded } from './worker-lifecycle.ts'

export interface EncryptionPoolOptions extends PoolSizeOptions {
  /**
   * Worker threads. They share one comb table (~34 MB at 2048 bits, ~50 MB at 3072), built once.
   * @default os.availableParallelism()
   */
  threads?: number
  /**
   * Plaintexts per task: ~60 ms of work at 2048 bits, so messaging costs nothing measurable and an
   * abort waits for at most one batch per thread.
   * @default 32
   */
  batchSize?: number
  /**
   * How the threads compute h_s^r. 'comb': through the key's comb table (~1.3 ms at 2048 bits), built
   * once for the pool; what a client needs, with a randomizer per ciphertext of every update.
   * 'native': one OpenSSL exponentiation each (~4.6 ms), no table and no build: for a process that
   * needs few, such as an aggregator (one per aggregate ciphertext per round, made in the
   * background), for which the table's ~34 MB (50 MB at 3072 bits) would be most of its pool.
   * @default 'comb'
   */
  powers?: PoolPowers
  /**
   * Added to the threads' nice value (thread-priority.ts). 19, the default, leaves the cores to
   * whatever else runs, as a client's background noise should. 0 keeps the process's priority, for
   * a pool whose little work is what a round waits for when it has not been done ahead (an
   * aggregator's encryptions of zero at the close).
   * @default WORKER_NICE_INCREMENT
   */
  niceIncrement?: number
}

export type PoolPowers = 'comb' | 'native'

/** What an EncryptionPool's threads are started with. */
export interface EncryptionWorkerData {
  publicKey: PublicKeyJSON
  niceIncrement: number
}

const WORKER_FILE = fileURLToPath(new URL('./encrypt-worker.ts', import.meta.url))
const DEFAULT_BATCH_SIZE = 32
const WORKER_YOUNG_GENERATION_MB = 8

/**
 * A pool of worker threads bound to one public key. When the pool is constructed, one worker starts
 * building the key's comb into a SharedArrayBuffer (~1.3 s at 2048 bits, ~2.5 s at 3072; never on
 * the main thread, whose event loop it would block), and every task then carries that table, so
 * the process builds and holds one comb however many threads it has. Work that arrives earlier
 * waits for it. Call destroy() (or `await using`) when done: the threads keep the process alive.
 *
 * Two kinds of work share the threads: encryptAll (a round waiting on it: foreground) and
 * randomizers (filling a noise pool: background). Background batches start only while no
 * encryptAll is running, at most one per thread, so a round waits for at most one background
 * batch per thread (~30 ms at 2048 bits) before it has every core.
 */
export class EncryptionPool {
  readonly publicKey: PaillierPublicKey
  readonly threads: number
  readonly powers: PoolPowers
  readonly #batchSize: number
  readonly #piscina: Piscina<EncryptionTask | RandomizerTask | CombBuildTask, Uint8Array>
  /** The comb's table, once a worker has built it; undefined again after a failed build, to retry. */
  #combTable: Promise<Uint8Array> | undefined
  #combBuilds = 0
  #destroyed = false
  /** encryptAll calls running. */
  #foreground = 0
  /** randomizers batches handed to a thread. */
  #background = 0
  /** Fired whenever #foreground or #background drops, so waiting background work re-checks its turn. */
  readonly #changed = new EventTarget()
  /** Settles once every thread's module has evaluated (or the pool failed), see destroy(). */
  readonly #loaded: Promise<void>

  /** Throws InvalidPoolOptionsError unless threads and batchSize are integers >= 1. */
  constructor (publicKey: PaillierPublicKey, options: EncryptionPoolOptions = {}) {
    this.publicKey = publicKey
    const { threads, batchSize } = resolvePoolSize(options, DEFAULT_BATCH_SIZE)
    this.threads = threads
    this.#batchSize = batchSize
    this.powers = options.powers ?? 'comb'
    this.#piscina = new Piscina({
      filename: WORKER_FILE,
      minThreads: this.threads,
      maxThreads: this.threads,
      // By default an idle piscina worker blocks in Atomics.wait, so its event loop never turns: the
      // WORKER_LOADED it posts from setImmediate (encrypt-worker.ts) would wait for the first task.
      // Plain messages cost nothing measurable against ~30–60 ms batches.
      atomics: 'disabled',
      // Every product mod n² leaves a bigint behind at once: with V8's default young generation a
      // thread held ~19 MB more resident memory for garbage, at no measurable gain in speed
      // (0.735 against 0.744 ms per ciphertext for 1,200 encryptions on two threads).
      resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
      workerData: { publicKey: publicKeyToJSON(publicKey), niceIncrement: options.niceIncrement ?? WORKER_NICE_INCREMENT } satisfies EncryptionWorkerData
    })
    this.#loaded = workersLoaded(this.#piscina, this.threads)
    // Start the build now, so it runs while a client trains rather than when its values arrive. A
    // failure here (the pool destroyed first) reaches whichever call needs the table next.
    if (this.powers === 'comb') this.#table().catch(() => {})
  }

  /**
   * Comb tables this pool has built: 0 until the first build finishes, then 1 for the pool's life
   * (every thread adopts that table; none builds its own). For diagnostics.
   */
  get combBuilds (): number {
    return this.#combBuilds
  }

  /**
   * Encrypts every plaintext (each in [0, n), else PlaintextOutOfRangeError before any work starts),
   * returning ciphertexts in input order. Aborting rejects at once with signal.reason; batches
   * already running finish in the background and are discarded, and the workers stay usable.
   */
  async encryptAll (plaintexts: readonly bigint[], signal?: AbortSignal): Promise<bigint[]> {
    signal?.throwIfAborted()
    this.#assertUsable()
    const { n } = this.publicKey
    plaintexts.forEach((m, i) => {
      if (typeof m !== 'bigint' || m < 0n || m >= n) throw new PlaintextOutOfRangeError(`expected plaintext ${i} in [0, n), got ${typeof m === 'bigint' && m < 0n ? 'a negative number' : typeof m === 'bigint' ? 'a number >= n' : typeof m}`)
    })
    if (plaintexts.length === 0) return []
    this.#foreground++
    try {
      const combTable = this.powers === 'comb' ? await untilAborted(this.#table(), signal) : undefined
      const lanes = { batchSize: this.#batchSize, lanes: this.threads * BATCHES_IN_FLIGHT_PER_THREAD, ...(signal === undefined ? {} : { signal }) }
      return await mapInBatches(plaintexts.length, lanes, async (start, end) => {
        this.#assertUsable()
        const task: EncryptionTask = { plaintexts: encodePlaintextBatch(this.publicKey, plaintexts.slice(start, end)), combTable }
        const encrypted = decodeCiphertexts(this.publicKey, await this.#piscina.run(task, { transferList: [task.plaintexts.buffer] }))
        if (encrypted.length !== end - start) throw new PlaintextBatchWidthError(`expected ${end - start} ciphertexts from a worker, got ${encrypted.length}`)
        return encrypted
      })
    } finally {
      this.#foreground--
      this.#changed.dispatchEvent(new Event('change'))
    }
  }

  /**
   * `count` fresh randomizers h_s^r mod n² (the offline half of encryption: E(0) through the comb or
   * one OpenSSL power, by `powers`),
   * as count fixed-width big-endian values of ciphertextByteLength bytes each, in one buffer the
   * caller owns and should zero once it has used them. Background work: it waits while any
   * encryptAll runs and while every thread already has a background batch. Aborting while it waits
   * rejects with signal.reason; once on a thread, the batch is returned whatever the signal says.
   */
  async randomizers (count: number, signal?: AbortSignal): Promise<Uint8Array> {
    if (!Number.isSafeInteger(count) || count < 1) throw new InvalidPoolOptionsError(`count: expected an integer >= 1, got ${String(count)}`)
    signal?.throwIfAborted()
    this.#assertUsable()
    const combTable = this.powers === 'comb' ? await untilAborted(this.#table(), signal) : undefined
    while (this.#foreground > 0 || this.#background >= this.threads) {
      // once() rejects an abort with its own AbortError; callers get signal.reason, as from encryptAll.
      await once(this.#changed, 'change', signal === undefined ? {} : { signal }).catch((err: unknown) => {
        throw signal?.aborted === true ? signal.reason : err
      })
    }
    this.#assertUsable()
    this.#background++
    try {
      // No signal to piscina once dispatched: it aborts a running task by terminating its worker,
      // and a new thread must load its modules again (destroy() would wait for that). A batch takes
      // tens of milliseconds; let it finish.
      const task: RandomizerTask = { count, combTable }
      return await this.#piscina.run(task, { name: 'randomizers' })
    } finally {
      this.#background--
      this.#changed.dispatchEvent(new Event('change'))
    }
  }

  /**
   * Terminates the worker threads; pending encryptAll calls reject. Waits first until every thread
   * has loaded its module (well under a second): terminating one mid-load can abort the process
   * (see worker-lifecycle.ts).
   */
  async destroy (): Promise<void> {
    this.#destroyed = true
    await destroyWhenLoaded(this.#piscina, this.#loaded)
  }

  async [Symbol.asyncDispose] (): Promise<void> {
    await this.destroy()
  }

  // A destroyed piscina pool still takes work, and starts fresh threads for it.
  #assertUsable (): void {
    if (this.#destroyed) throw new PoolDestroyedError('the encryption pool was destroyed')
  }

  // The comb's table: built by the first task the pool runs, on whichever thread piscina picks, and
  // shared by every later task. If that build fails (its thread died, the pool was destroyed), the
  // next call starts another.
  async #table (): Promise<Uint8Array> {
    this.#combTable ??= this.#piscina.run({}, { name: 'buildComb' }).then(table => {
      this.#combBuilds++
      return table
    }, (err: unknown) => {
      this.#combTable = undefined
      throw err
    })
    return await this.#combTable
  }
}

/** Settles as promise does, or rejects with signal.reason as soon as the signal aborts. */
async function untilAborted<T> (promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (signal === undefined) return await promise
  let onAbort = (): void => {}
  try {
    return await Promise.race([promise, new Promise<never>((_resolve, reject) => {
      onAbort = () => { reject(signal.reason) }
      if (signal.aborted) onAbort()
      else signal.addEventListener('abort', onAbort, { once: true })
    })])
  } finally {
    signal.removeEventListener('abort', onAbort)
  }
}
