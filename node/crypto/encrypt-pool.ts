// EncryptionPool: encrypts whole vectors of packed plaintexts on every core with piscina worker threads.
import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import { Piscina } from 'piscina'
import { decodeCiphertexts, PlaintextOutOfRangeError, publicKeyToJSON } from '../../protocol/paillier/index.ts'
import type { PaillierPublicKey } from '../../protocol/paillier/index.ts'
import { InvalidPoolOptionsError } from './errors.ts'
import { encodePlaintextBatch } from './encrypt-batch.ts'
import type { EncryptionTask } from './encrypt-batch.ts'

export interface EncryptionPoolOptions {
  /**
   * Worker threads; each holds its own comb (~34 MB at 2048 bits, ~50 MB at 3072).
   * @default os.availableParallelism()
   */
  threads?: number
  /**
   * Plaintexts per task: ~60 ms of work at 2048 bits, so messaging costs nothing measurable and an
   * abort waits for at most one batch per thread.
   * @default 32
   */
  batchSize?: number
}

const WORKER_FILE = fileURLToPath(new URL('./encrypt-worker.ts', import.meta.url))
const DEFAULT_BATCH_SIZE = 32
// Batches queued per thread: two keep every worker busy while the main thread decodes results,
// without encoding the whole vector up front.
const BATCHES_IN_FLIGHT_PER_THREAD = 2

/**
 * A pool of worker threads bound to one public key. Workers start building their comb when the
 * pool is constructed. Call destroy() (or `await using`) when done: the threads keep the process alive.
 */
export class EncryptionPool {
  readonly publicKey: PaillierPublicKey
  readonly threads: number
  readonly #batchSize: number
  readonly #piscina: Piscina<EncryptionTask, Uint8Array>

  /** Throws InvalidPoolOptionsError unless threads and batchSize are integers >= 1. */
  constructor (publicKey: PaillierPublicKey, options: EncryptionPoolOptions = {}) {
    this.publicKey = publicKey
    this.threads = options.threads ?? availableParallelism()
    this.#batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE
    if (!Number.isSafeInteger(this.threads) || this.threads < 1) throw new InvalidPoolOptionsError(`threads: expected an integer >= 1, got ${String(this.threads)}`)
    if (!Number.isSafeInteger(this.#batchSize) || this.#batchSize < 1) throw new InvalidPoolOptionsError(`batchSize: expected an integer >= 1, got ${String(this.#batchSize)}`)
    this.#piscina = new Piscina({
      filename: WORKER_FILE,
      minThreads: this.threads,
      maxThreads: this.threads,
      workerData: publicKeyToJSON(publicKey)
    })
  }

  /**
   * Encrypts every plaintext (each in [0, n), else PlaintextOutOfRangeError before any work starts),
   * returning ciphertexts in input order. Aborting rejects at once with signal.reason; batches
   * already running finish in the background and are discarded, and the workers stay usable.
   */
  async encryptAll (plaintexts: readonly bigint[], signal?: AbortSignal): Promise<bigint[]> {
    signal?.throwIfAborted()
    const { n } = this.publicKey
    plaintexts.forEach((m, i) => {
      if (typeof m !== 'bigint' || m < 0n || m >= n) throw new PlaintextOutOfRangeError(`expected plaintext ${i} in [0, n), got ${typeof m === 'bigint' && m < 0n ? 'a negative number' : typeof m === 'bigint' ? 'a number >= n' : typeof m}`)
    })
    const ciphertexts = new Array<bigint>(plaintexts.length)
    const stop = new AbortController()
    let next = 0
    const lane = async (): Promise<void> => {
      while (next < plaintexts.length && !stop.signal.aborted) {
        const start = next
        next += this.#batchSize
        const task = { plaintexts: encodePlaintextBatch(this.publicKey, plaintexts.slice(start, start + this.#batchSize)) }
        const encrypted = decodeCiphertexts(this.publicKey, await this.#piscina.run(task, { transferList: [task.plaintexts.buffer] }))
        if (!stop.signal.aborted) encrypted.forEach((c, i) => { ciphertexts[start + i] = c })
      }
    }
    const onAbort = (): void => { stop.abort(signal?.reason) }
    signal?.addEventListener('abort', onAbort, { once: true })
    try {
      const lanes = Array.from({ length: this.threads * BATCHES_IN_FLIGHT_PER_THREAD }, async () => {
        try {
          await lane()
        } catch (err) {
          stop.abort(err)
        }
      })
      await Promise.race([
        Promise.all(lanes),
        new Promise<never>((_resolve, reject) => {
          stop.signal.addEventListener('abort', () => { reject(stop.signal.reason) }, { once: true })
        })
      ])
    } finally {
      signal?.removeEventListener('abort', onAbort)
      stop.abort()
    }
    return ciphertexts
  }

  /** Terminates the worker threads; pending encryptAll calls reject. */
  async destroy (): Promise<void> {
    await this.#piscina.destroy()
  }

  async [Symbol.asyncDispose] (): Promise<void> {
    await this.destroy()
  }
}
