// Runs a vector through a worker pool in batches, a few in flight per thread, and reassembles the results in input order.
import { availableParallelism } from 'node:os'
import { InvalidPoolOptionsError } from './errors.ts'

/**
 * Batches queued per thread: two keep every worker busy while the main thread prepares the next
 * batch and decodes results, without encoding the whole vector up front.
 */
export const BATCHES_IN_FLIGHT_PER_THREAD = 2

/** A pool's size as its options give it. */
export interface PoolSizeOptions {
  /** @default os.availableParallelism() */
  threads?: number
  batchSize?: number
}

/** threads and batchSize with their defaults; InvalidPoolOptionsError unless each is an integer >= 1. */
export function resolvePoolSize (options: PoolSizeOptions, defaultBatchSize: number): { threads: number, batchSize: number } {
  const threads = options.threads ?? availableParallelism()
  const batchSize = options.batchSize ?? defaultBatchSize
  if (!Number.isSafeInteger(threads) || threads < 1) throw new InvalidPoolOptionsError(`threads: expected an integer >= 1, got ${String(threads)}`)
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new InvalidPoolOptionsError(`batchSize: expected an integer >= 1, got ${String(batchSize)}`)
  return { threads, batchSize }
}

export interface BatchLanesOptions {
  /** Items per batch. */
  batchSize: number
  /** Batches in flight at once (threads × batches queued per thread). */
  lanes: number
  signal?: AbortSignal
}

/**
 * The results of runBatch(start, end) for consecutive slices [start, end) of `count` items,
 * concatenated in input order. Each lane takes the next slice as soon as its last one returns, so
 * only `lanes` batches are ever prepared ahead of the threads. The first failure, or an abort,
 * rejects at once (with the error or signal.reason); batches already running finish in the
 * background and are discarded.
 */
export async function mapInBatches<T> (count: number, options: BatchLanesOptions, runBatch: (start: number, end: number) => Promise<readonly T[]>): Promise<T[]> {
  const { batchSize, lanes, signal } = options
  signal?.throwIfAborted()
  const results = new Array<T>(count)
  const stop = new AbortController()
  let next = 0
  const lane = async (): Promise<void> => {
    while (next < count && !stop.signal.aborted) {
      const start = next
      const end = Math.min(count, start + batchSize)
      next = end
      const batch = await runBatch(start, end)
      if (!stop.signal.aborted) batch.forEach((result, i) => { results[start + i] = result })
    }
  }
  const onAbort = (): void => { stop.abort(signal?.reason) }
  signal?.addEventListener('abort', onAbort, { once: true })
  try {
    const running = Array.from({ length: lanes }, async () => {
      try {
        await lane()
      } catch (err) {
        stop.abort(err)
      }
    })
    await Promise.race([
      Promise.all(running),
      new Promise<never>((_resolve, reject) => {
        stop.signal.addEventListener('abort', () => { reject(stop.signal.reason) }, { once: true })
      })
    ])
  } finally {
    signal?.removeEventListener('abort', onAbort)
    stop.abort()
  }
  return results
}
