// Piscina worker of EncryptionPool: builds the pool's comb (on one thread) or adopts its shared table, then encrypts batches or makes randomizers.
import { parentPort, workerData } from 'node:worker_threads'
import { move } from 'piscina'
import { encodeCiphertexts, encrypt, encryptionComb, encryptOneOff, publicKeyFromJSON } from '../../protocol/paillier/index.ts'
import { decodePlaintextBatch } from './encrypt-batch.ts'
import type { EncryptionTask, RandomizerTask } from './encrypt-batch.ts'
import { WORKER_LOADED } from './encrypt-batch.ts'
import type { EncryptionWorkerData } from './encrypt-pool.ts'
import { lowerThreadPriority } from './thread-priority.ts'

// The key arrives as workerData (its JSON form). Terminating a worker inside the evaluation of a
// module graph with top-level await (bigint-crypto-utils, reached through the engine's index, has
// some) fails a V8 check and aborts the whole process (Node 24.21). So the thread tells the pool it
// is loaded from the event loop, once the evaluation has completed (EncryptionPool.destroy waits for
// that). The comb's ~1–2 s build runs later, in buildComb, a task the pool gives one thread, where
// termination is safe; the other threads adopt the table it returns.
const { publicKey: publicKeyJSON, niceIncrement } = workerData as EncryptionWorkerData
const publicKey = publicKeyFromJSON(publicKeyJSON)
// Encryption and noise are throughput work (by default): the event loops on this machine, which a
// round waits on, keep their share of the cores (thread-priority.ts).
if (niceIncrement > 0) lowerThreadPriority(niceIncrement)
let announced = false
setImmediate(announceLoaded)

function announceLoaded (): void {
  if (announced) return
  announced = true
  parentPort?.postMessage(WORKER_LOADED)
}

/**
 * Builds the comb for the pool's key into a SharedArrayBuffer and returns its table, which the pool
 * then hands to every task (posting a SharedArrayBuffer shares its memory).
 */
export function buildComb (): Uint8Array {
  // A task runs only once this module has evaluated (piscina imports it first), so the pool may
  // terminate this thread from here on. Say so now: should the task reach this thread before the
  // setImmediate above has run, that would announce it only after the build, and destroy() wait.
  announceLoaded()
  return encryptionComb(publicKey, { shared: true }).table
}

/** Encrypts one batch; plaintexts were range-checked by the pool and are checked again by encrypt. */
export default function encryptBatch (task: EncryptionTask): Uint8Array {
  const encryptOne = encryptor(task.combTable)
  const ciphertexts = decodePlaintextBatch(publicKey, task.plaintexts).map(encryptOne)
  return move(encodeCiphertexts(publicKey, ciphertexts)) as Uint8Array
}

/**
 * `count` fresh randomizers h_s^r (E(0), whose factor (1 + 0·n) is 1), fixed-width like
 * ciphertexts. The buffer is moved, not copied, to the caller, so no byte copy stays behind in this
 * thread (the bigints do, until V8 collects them).
 */
export function randomizers (task: RandomizerTask): Uint8Array {
  const encryptOne = encryptor(task.combTable)
  const values = Array.from({ length: task.count }, () => encryptOne(0n))
  return move(encodeCiphertexts(publicKey, values)) as Uint8Array
}

/**
 * E(m) through the pool's comb: the first task on a thread adopts the shared table, later ones find
 * it cached for the key. Without a table, one OpenSSL exponentiation per h_s^r ('native' powers).
 */
function encryptor (combTable: Uint8Array | undefined): (m: bigint) => bigint {
  if (combTable === undefined) return m => encryptOneOff(publicKey, m)
  encryptionComb(publicKey, { table: combTable })
  return m => encrypt(publicKey, m)
}
