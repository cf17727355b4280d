// One EncryptionPool per Paillier key per process, shared by every node in the process and released by reference count.
import { EncryptionPool } from './encrypt-pool.ts'
import type { PoolPowers } from './encrypt-pool.ts'
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

/** Which of a key's shared pools: the comb pool on every core (a client's), or a 'native' one (an aggregator's). */
export interface SharedPoolKind {
  /** @default 'comb' */
  powers?: PoolPowers
  /** @default os.availableParallelism() */
  threads?: number
  /** @default WORKER_NICE_INCREMENT (19) */
  niceIncrement?: number
}

/**
 * The process-wide pool for publicKey and kind (keyed by the key's fingerprint and the kind),
 * created on first lease. Each lease must be released once; the pool lives while any is held.
 */
export function leaseEncryptionPool (publicKey: PaillierPublicKey, kind: SharedPoolKind = {}): EncryptionPoolLease {
  const id = `${publicKey.fingerprint}/${kind.powers ?? 'comb'}/${kind.threads ?? 'all'}/${kind.niceIncrement ?? 'default'}`
  let entry = shared.get(id)
  if (entry === undefined) {
    entry = { pool: new EncryptionPool(publicKey, kind), holders: 0 }
    shared.set(id, entry)
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
      if (shared.get(id) === held) shared.delete(id)
      await held.pool.destroy()
    }
  }
}

/** Pools alive in this process (per key and kind), for tests and diagnostics. */
export function sharedPoolCount (): number {
  return shared.size
}
