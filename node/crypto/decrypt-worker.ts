// Piscina worker of DecryptionPool: holds the coordinator's private key and decrypts batches of fixed-width ciphertexts.
import { workerData } from 'node:worker_threads'
import { move } from 'piscina'
import { decodeCiphertexts, decrypt, privateKeyFromJSON } from '../../protocol/paillier/index.ts'
import type { DecryptionTask } from './decrypt-pool.ts'
import { encodePlaintextBatch } from './encrypt-batch.ts'
import { announceWorkerLoaded } from './worker-lifecycle.ts'

// The key arrives as workerData (its JSON form) and is checked again here, as every loaded key is.
// No thread-priority change: the end of a round waits for this work (unlike encryption noise).
const privateKey = privateKeyFromJSON(workerData)
announceWorkerLoaded()

/**
 * Decrypts one batch (CRT, two OpenSSL exponentiations per ciphertext) into fixed-width plaintexts.
 * The pool has checked every ciphertext; decrypt checks again, but an error here would reach the
 * pool only as a plain Error. The buffer is moved, not copied, to the pool.
 */
export default function decryptBatch (task: DecryptionTask): Uint8Array {
  const plaintexts = decodeCiphertexts(privateKey.publicKey, task.ciphertexts).map(c => decrypt(privateKey, c))
  return move(encodePlaintextBatch(privateKey.publicKey, plaintexts)) as Uint8Array
}
