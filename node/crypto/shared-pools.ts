// One EncryptionPool per Paillier key per process, shared by every node in the process and released by reference count.
import { EncryptionPool } from './encrypt-pool.ts'
import type { PaillierPublicKey } from '../../protocol/paillier/index.ts'

// Each pool builds the key's comb once, on one of its threads, into memory all its threads share
// (~1.3 s and ~34 MB at 2048 bits, ~2.5 s and ~50 MB at 3072). A pool per node would pay that once
// per node: ten clients in one process (the in-process federation, a simulation) started twenty
// threads and built twenty combs on two cores before the first round could finish. Shared, the
// process pays it once per key.

/** A hold on the process's pool for one key; release it when done (idempotent). */
export interface EncryptionPoolLease {
  readonly pool: EncryptionPool
  /** Drops this hold; the last one destroys the pool and its threads. */
  release: () => Promise<void>
}

interface Shared {
  pool: EncryptionPool
  holders: number
}

const shared = new Map<string, Shared>()

/**
 * The process-wide pool for publicKey (keyed by its fingerprint), created on first lease with
 * os.availableParallelism() threads. Each lease must be released once; the pool lives while any is held.
 */
export function leaseEncryptionPool (publicKey: PaillierPublicKey): EncryptionPoolLease {
  const fingerprint = publicKey.fingerprint
  let entry = shared.get(fingerprint)
  if (entry === undefined) {
    entry = { pool: new EncryptionPool(publicKey), holders: 0 }
    shared.set(fingerprint, entry)
  }
  entry.holders++
  const held = entry
  let released = false
  return {
    pool: held.pool,
    release: async () => {
      if (released) return
      released = true
      held.holders--
      if (held.holders > 0) return
      if (shared.get(fingerprint) === held) shared.delete(fingerprint)
      await held.pool.destroy()
    }
  }
}

/** Keys with a live pool in this process, for tests and diagnostics. */
export function sharedPoolCount (): number {
  return shared.size
}
