// DecryptionPool: the coordinator's CRT decryption of a whole aggregate on every core, with piscina worker threads holding the private key.
import { fileURLToPath } from 'node:url'
import { Piscina } from 'piscina'
import { assertAllCoprimeToModulus, ciphertextByteLength, decodeCiphertexts, privateKeyToJSON } from '../../protocol/paillier/index.ts'
import type { PaillierPrivateKey, PaillierPublicKey } from '../../protocol/paillier/index.ts'
import { BATCHES_IN_FLIGHT_PER_THREAD, mapInBatches, resolvePoolSize } from './batch-lanes.ts'
import type { PoolSizeOptions } from './batch-lanes.ts'
import { decodePlaintextBatch, encodeFixedWidthBatch } from './encrypt-batch.ts'
import { PlaintextBatchWidthError, PoolDestroyedError } from './errors.ts'
import { destroyWhenLoaded, workersLoaded } from './worker-lifecycle.ts'

export interface DecryptionPoolOptions extends PoolSizeOptions {
  /**
   * Worker threads; each holds the private key and its two CRT contexts.
   * @default os.availableParallelism()
   */
  threads?: number
  /**
   * Ciphertexts per task: ~80 ms of work at 2048 bits (~2.4 ms each), ~0.2 s at 3072, so messaging
   * costs nothing measurable and an abort or a stop waits for at most one batch per thread.
   * @default 32
   */
  batchSize?: number
}

/** One unit of pool work: ciphertexts, each exactly ciphertextByteLength(pk) big-endian bytes, concatenated. */
export interface DecryptionTask {
  ciphertexts: Uint8Array<ArrayBuffer>
}

const WORKER_FILE = fileURLToPath(new URL('./decrypt-worker.ts', import.meta.url))
const DEFAULT_BATCH_SIZE = 32

/**
 * Worker threads bound to one private key, which decrypt vectors of ciphertexts in parallel and off
 * the event loop. Decryption is what the end of a round waits for, so unlike the encryption
 * pool's, these threads keep the process's priority. Call destroy() (or `await using`) when done:
 * the threads keep the process alive, and each holds a copy of the private key.
 */
export class DecryptionPool {
  readonly publicKey: PaillierPublicKey
  readonly threads: number
  readonly #batchSize: number
  readonly #piscina: Piscina<DecryptionTask, Uint8Array>
  /** Settles once every thread's module has evaluated (or the pool failed), see destroyWhenLoaded. */
  readonly #loaded: Promise<void>
  #destroyed = false

  /** Throws InvalidPoolOptionsError unless threads and batchSize are integers >= 1. */
  constructor (privateKey: PaillierPrivateKey, options: DecryptionPoolOptions = {}) {
    this.publicKey = privateKey.publicKey
    const { threads, batchSize } = resolvePoolSize(options, DEFAULT_BATCH_SIZE)
    this.threads = threads
    this.#batchSize = batchSize
    this.#piscina = new Piscina({
      filename: WORKER_FILE,
      minThreads: this.threads,
      maxThreads: this.threads,
      // An idle piscina worker blocks in Atomics.wait by default, so its event loop would not turn
      // to announce that it has loaded (worker-lifecycle.ts) until its first task. Plain messages
      // cost nothing measurable against ~80 ms batches.
      atomics: 'disabled',
      workerData: privateKeyToJSON(privateKey)
    })
    this.#loaded = workersLoaded(this.#piscina, this.threads)
  }

  /**
   * The plaintext of every ciphertext, in input order. The ciphertexts come as bigints or as one
   * buffer of fixed-width big-endian values (a wrong width is a CiphertextWidthError). All checks
   * run here, before any work is dispatched, because a typed error thrown in a worker reaches this
   * thread as a plain Error: each c in (0, n²) (CiphertextOutOfRangeError) and coprime to n, checked
   * with one gcd for the vector (CiphertextNotInvertibleError). Aborting rejects at once with
   * signal.reason; batches already running finish in the background and are discarded.
   */
  async decryptAll (ciphertexts: readonly bigint[] | Uint8Array, signal?: AbortSignal): Promise<bigint[]> {
    signal?.throwIfAborted()
    this.#assertUsable()
    const { publicKey } = this
    const width = ciphertextByteLength(publicKey)
    const values = ciphertexts instanceof Uint8Array ? decodeCiphertexts(publicKey, ciphertexts) : ciphertexts
    assertAllCoprimeToModulus(publicKey, values)
    const lanes = { batchSize: this.#batchSize, lanes: this.threads * BATCHES_IN_FLIGHT_PER_THREAD, ...(signal === undefined ? {} : { signal }) }
    return mapInBatches(values.length, lanes, async (start, end) => {
      // Checked per batch too: a lane between batches when destroy() began must not restart threads.
      this.#assertUsable()
      // The batch's buffer is transferred, so it must be this batch's own: a copy of the caller's bytes.
      const task: DecryptionTask = {
        ciphertexts: ciphertexts instanceof Uint8Array ? ciphertexts.slice(start * width, end * width) : encodeFixedWidthBatch(values.slice(start, end), width)
      }
      const bytes = await this.#piscina.run(task, { transferList: [task.ciphertexts.buffer] })
      let plaintexts: bigint[]
      try {
        plaintexts = decodePlaintextBatch(publicKey, bytes)
      } finally {
        // The sums are secret until the coordinator's checks pass; keep no byte copy of them around.
        bytes.fill(0)
      }
      if (plaintexts.length !== end - start) throw new PlaintextBatchWidthError(`expected ${end - start} plaintexts from a worker, got ${plaintexts.length}`)
      return plaintexts
    })
  }

  /**
   * Terminates the worker threads; pending decryptAll calls reject, and later ones throw
   * PoolDestroyedError. Waits first until every thread
   * has loaded its module (well under a second): terminating one mid-load can abort the process
   * (see worker-lifecycle.ts).
   */
  async destroy (): Promise<void> {
    this.#destroyed = true
    await destroyWhenLoaded(this.#piscina, this.#loaded)
  }

  #assertUsable (): void {
    if (this.#destroyed) throw new PoolDestroyedError('the decryption pool was destroyed')
  }

  async [Symbol.asyncDispose] (): Promise<void> {
    await this.destroy()
  }
}
