// Piscina worker of EncryptionPool: builds the comb for the pool's key once, then encrypts batches.
import { workerData } from 'node:worker_threads'
import { move } from 'piscina'
import { encodeCiphertexts, encrypt, encryptionComb, publicKeyFromJSON } from '../../protocol/paillier/index.ts'
import { decodePlaintextBatch } from './encrypt-batch.ts'
import type { EncryptionTask } from './encrypt-batch.ts'

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
