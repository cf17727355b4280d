// Piscina worker of EncryptionPool: builds the comb for the pool's key once, then encrypts batches or makes randomizers.
import { parentPort, workerData } from 'node:worker_threads'
import { move } from 'piscina'
import { encodeCiphertexts, encrypt, encryptionComb, freshRandomizer, publicKeyFromJSON } from '../../protocol/paillier/index.ts'
import { decodePlaintextBatch } from './encrypt-batch.ts'
import type { EncryptionTask, RandomizerTask } from './encrypt-batch.ts'
import { WORKER_LOADED } from './encrypt-batch.ts'
import { lowerThreadPriority, WORKER_NICE_INCREMENT } from './thread-priority.ts'

// The key arrives as workerData (its JSON form). Every worker starts its ~1–2 s comb as soon as the
// pool is constructed, in parallel, but only once this module has finished evaluating: terminating a
// worker inside the evaluation of a module graph with top-level await (bigint-crypto-utils, reached
// through the engine's index, has some) fails a V8 check and aborts the whole process (Node 24.21).
// So the thread tells the pool it is loaded from the event loop, once the evaluation has completed
// (EncryptionPool.destroy waits for that), and only then builds the comb, where termination is
// safe; a task that arrives first builds it itself.
const publicKey = publicKeyFromJSON(workerData)
// Encryption and noise are throughput work: the event loops on this machine, which a round waits
// on, keep their share of the cores (thread-priority.ts).
lowerThreadPriority(WORKER_NICE_INCREMENT)
setImmediate(() => {
  parentPort?.postMessage(WORKER_LOADED)
  encryptionComb(publicKey)
})

/** Encrypts one batch; plaintexts were range-checked by the pool and are checked again by encrypt. */
export default function encryptBatch (task: EncryptionTask): Uint8Array {
  const ciphertexts = decodePlaintextBatch(publicKey, task.plaintexts).map(m => encrypt(publicKey, m))
  return move(encodeCiphertexts(publicKey, ciphertexts)) as Uint8Array
}

/**
 * `count` fresh randomizers h_s^r, fixed-width like ciphertexts. The buffer is moved, not copied,
 * to the caller, so no byte copy stays behind in this thread (the bigints do, until V8 collects them).
 */
export function randomizers (task: RandomizerTask): Uint8Array {
  const values = Array.from({ length: task.count }, () => freshRandomizer(publicKey))
  return move(encodeCiphertexts(publicKey, values)) as Uint8Array
}
