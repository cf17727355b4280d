// Read-only access to a node's node.db from a test, beside the node (or process) that writes it.
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'

/** Opens `dataDir`'s node.db read-only for `read`, then closes it; WAL lets a reader in while the node writes. */
export function withDatabase<T> (dataDir: string, read: (db: DatabaseSync) => T): T {
  const db = new DatabaseSync(join(dataDir, 'node.db'), { readOnly: true })
  try {
    return read(db)
  } finally {
    db.close()
  }
}
