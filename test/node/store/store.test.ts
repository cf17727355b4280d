// Tests openStore: durability PRAGMAs, schema version, reopen, and refusal of a newer schema.
import assert from 'node:assert/strict'
import { DatabaseSync } from 'node:sqlite'
import { MIGRATIONS } from '../../../node/store/migrations.ts'
import { openStore } from '../../../node/store/index.ts'
import { bytes, memoryStore, tempDir } from './helpers.ts'

describe('node/store/store', () => {
  let dir: ReturnType<typeof tempDir>
  beforeEach(() => { dir = tempDir() })
  afterEach(() => { dir.remove() })

  it('opens a file store in WAL mode with synchronous=FULL, foreign keys and a busy timeout', () => {
    const store = openStore(dir.dbPath)
    try {
      assert.deepEqual(store.settings(), {
        journalMode: 'wal',
        synchronous: 2,
        foreignKeys: true,
        busyTimeoutMs: 5000,
        schemaVersion: MIGRATIONS.length
      })
    } finally {
      store.close()
    }
  })

  it('opens :memory: for tests', () => {
    const store = memoryStore()
    assert.equal(store.settings().schemaVersion, MIGRATIONS.length)
    store.close()
  })

  it('keeps data across close and reopen without migrating again', () => {
    const first = openStore(dir.dbPath)
    first.roster.save(1, bytes(1, 2, 3))
    first.close()
    first.close() // idempotent
    const second = openStore(dir.dbPath)
    try {
      assert.deepEqual(second.roster.latest(), { version: 1, signedRoster: bytes(1, 2, 3) })
      assert.equal(second.settings().schemaVersion, MIGRATIONS.length)
    } finally {
      second.close()
    }
  })

  it('refuses a database written by a newer schema', () => {
    const raw = new DatabaseSync(dir.dbPath)
    raw.exec(`PRAGMA user_version = ${MIGRATIONS.length + 1}`)
    raw.close()
    assert.throws(() => openStore(dir.dbPath), { name: 'StoreSchemaTooNewError', message: new RegExp(`expected schema version <= ${MIGRATIONS.length}, got ${MIGRATIONS.length + 1}`) })
  })

})
