// Piscina worker of EncryptionPool: builds the comb for the pool's key once, then encrypts batches or makes randomizers.
import { workerData } from 'node:worker_threads'
import { move } from 'piscina'
import { encodeCiphertexts, encrypt, encryptionComb, freshRandomizer, publicKeyFromJSON } from '../../protocol/paillier/index.ts'
import { decodePlaintextBatch } from './encrypt-batch.ts'
import type { EncryptionTask, RandomizerTask } from './encrypt-batch.ts'

// The key arrives as workerData (its JSON form); building the comb here, at module load, makes every
// worker start its ~1–2 s precomputation as soon as the pool is constructed, in parallel, and
// piscina hands a worker no task before its module has loaded.
const publicKey = publicKeyFromJSON(workerData)
encryptionComb(publicKey)

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
