// generateKeyPair: Paillier (DJN) key generation in a worker thread, with progress events and abort.
import { Worker } from 'node:worker_threads'
import { KeyGenerationError } from './errors.ts'
import { assertKeyBits, DEFAULT_KEY_BITS, privateKeyFromPrimes } from '../../protocol/paillier/index.ts'
import type { KeyGenerationPhase, PaillierPrivateKey } from '../../protocol/paillier/index.ts'
import type { KeyGenerationMessage } from './keygen-worker.ts'

export interface KeyGenerationProgress {
  /**
   * The step just finished: 'prime-p', 'prime-q', then 'hs'. 'prime-p' can repeat: when p·q
   * falls one bit short of the requested length, p is drawn again (see randomDjnPrimes).
   */
  phase: KeyGenerationPhase
  /** The phase's step number (prime-p 1, prime-q 2, hs 3), so a redrawn p does not count twice. */
  done: number
  total: number
}

export interface KeyGenerationOptions {
  /** Called after each step; prime search dominates (seconds at 3072 bits), h_s takes milliseconds. */
  onProgress?: (event: KeyGenerationProgress) => void
  /** Aborting terminates the worker and rejects with signal.reason. */
  signal?: AbortSignal
}

const WORKER_URL = new URL('./keygen-worker.ts', import.meta.url)

/**
 * Generates a key pair with an n of exactly `bits` bits (an integer, else InvalidKeyBitsError).
 * Prime search runs in one worker thread, so the event loop stays free; the result is
 * re-validated here by privateKeyFromPrimes (~40 ms at 2048 bits, ~120 ms at 3072, mostly primality checks).
 */
export async function generateKeyPair (bits: number = DEFAULT_KEY_BITS, options: KeyGenerationOptions = {}): Promise<PaillierPrivateKey> {
  assertKeyBits(bits)
  const { onProgress, signal } = options
  signal?.throwIfAborted()

  const worker = new Worker(WORKER_URL, { workerData: { bits } })
  let onAbort: (() => void) | undefined
  try {
    return await new Promise<PaillierPrivateKey>((resolve, reject) => {
      onAbort = () => { reject(signal?.reason) }
      signal?.addEventListener('abort', onAbort, { once: true })
      worker.on('error', err => { reject(new KeyGenerationError(`key generation worker failed: ${err.message}`, { cause: err })) })
      worker.on('exit', code => { reject(new KeyGenerationError(`key generation worker exited with code ${code} before producing a key`)) })
      worker.on('message', (message: KeyGenerationMessage) => {
        try {
          if (message.type === 'progress') onProgress?.({ phase: message.phase, done: message.done, total: message.total })
          else resolve(privateKeyFromPrimes(BigInt('0x' + message.p), BigInt('0x' + message.q), BigInt('0x' + message.hs)))
        } catch (err) {
          reject(err)
        }
      })
    })
  } finally {
    if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort)
    // The worker stays alive after posting its result (its prime library listens on the port), and
    // on abort it is mid-search: either way terminate it.
    await worker.terminate()
  }
}
