// When a crypto pool's worker thread may be terminated, and destroying a piscina pool only then.
import { parentPort } from 'node:worker_threads'
import type { Piscina } from 'piscina'

// Terminating a worker inside the evaluation of a module graph with top-level await
// (bigint-crypto-utils, reached through the engine's index, has some) fails a V8 check and aborts
// the whole process (Node 24.21). So each worker tells its pool from the event loop, once the
// evaluation has completed, that it is loaded, and a pool's destroy waits for every thread to have
// said so before terminating any.

/** What a worker posts once its module has evaluated: from then on terminating it is safe. */
export const WORKER_LOADED = 'fedagg-worker-loaded'

/** Worker side: posts WORKER_LOADED from the event loop, so after this module graph has evaluated. */
export function announceWorkerLoaded (): void {
  setImmediate(() => { parentPort?.postMessage(WORKER_LOADED) })
}

/** Settles once `threads` workers of the pool have posted WORKER_LOADED, or the pool has failed. */
export async function workersLoaded (piscina: Piscina, threads: number): Promise<void> {
  await new Promise<void>(resolve => {
    let loaded = 0
    piscina.on('message', (message: unknown) => {
      if (message === WORKER_LOADED && ++loaded >= threads) resolve()
    })
    piscina.on('error', () => { resolve() })
  })
}

/** Terminates the pool's threads once `loaded` (from workersLoaded) has settled; pending tasks reject. */
export async function destroyWhenLoaded (piscina: Piscina, loaded: Promise<void>): Promise<void> {
  // Idle piscina workers are unref'd, so in a process with nothing else to do the wait below would
  // let it exit early; the timer holds it open until the last thread has reported.
  const holdOpen = setInterval(() => {}, 1000)
  try {
    await loaded
  } finally {
    clearInterval(holdOpen)
  }
  await piscina.destroy()
}
