// Tests that migrations run all-or-nothing and record the schema version.
import assert from 'node:assert/strict'
import { DatabaseSync } from 'node:sqlite'
import { MIGRATIONS, migrate, readUserVersion } from '../../../node/store/migrations.ts'

function tableNames (db: DatabaseSync): string[] {
  return (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>).map(r => r.name)
}

describe('node/store/migrations', () => {
  it('applies pending migrations in order and sets user_version', () => {
    const db = new DatabaseSync(':memory:')
    assert.equal(migrate(db, ['CREATE TABLE a (x INTEGER)', 'CREATE TABLE b (y INTEGER)']), 2)
    assert.equal(readUserVersion(db), 2)
    assert.deepEqual(tableNames(db), ['a', 'b'])
    // Only the new entry runs on the next open.
    assert.equal(migrate(db, ['CREATE TABLE a (x INTEGER)', 'CREATE TABLE b (y INTEGER)', 'CREATE TABLE c (z INTEGER)']), 3)
    assert.deepEqual(tableNames(db), ['a', 'b', 'c'])
    db.close()
  })

  it('rolls back every step and the version when one migration fails', () => {
    const db = new DatabaseSync(':memory:')
    migrate(db, ['CREATE TABLE a (x INTEGER)'])
    assert.throws(() => migrate(db, ['CREATE TABLE a (x INTEGER)', 'CREATE TABLE b (y INTEGER)', 'CREATE TABLE broken (']))
    assert.equal(readUserVersion(db), 1)
    assert.deepEqual(tableNames(db), ['a'])
    assert.equal(db.isTransaction, false)
    db.close()
  })

  it('adds client_submissions to a store at schema version 2, keeping its receipts', () => {
    const db = new DatabaseSync(':memory:')
    migrate(db, MIGRATIONS.slice(0, 2))
    db.prepare('INSERT INTO client_receipts (round_id, receipt, digest, saved_at_ms) VALUES (?, ?, ?, ?)').run('r1', Uint8Array.of(1), Uint8Array.of(2), 5)
    assert.equal(migrate(db), MIGRATIONS.length)
    assert.ok(tableNames(db).includes('client_submissions'))
    assert.equal((db.prepare('SELECT COUNT(*) AS n FROM client_receipts').get() as { n: number }).n, 1)
    const insert = db.prepare('INSERT INTO client_submissions (round_id, ciphertexts, digest, values_digest, saved_at_ms) VALUES (?, ?, ?, ?, ?)')
    // STRICT: text where the ciphertexts belong is refused rather than stored.
    assert.throws(() => insert.run('r1', 'not bytes', Uint8Array.of(1), Uint8Array.of(1), 5), /cannot store TEXT value in BLOB column/)
    insert.run('r1', Uint8Array.of(1), Uint8Array.of(1), Uint8Array.of(1), 5)
    assert.throws(() => insert.run('r1', Uint8Array.of(2), Uint8Array.of(2), Uint8Array.of(2), 6), /UNIQUE constraint failed/)
    db.close()
  })

  it('refuses a schema newer than it knows', () => {
    const db = new DatabaseSync(':memory:')
    db.exec('PRAGMA user_version = 5')
    assert.throws(() => migrate(db, ['CREATE TABLE a (x INTEGER)']), { name: 'StoreSchemaTooNewError' })
    db.close()
  })
})
