// Tests the transaction helper: commit, rollback on throw, joining an outer transaction, refusing async bodies.
import assert from 'node:assert/strict'
import { DatabaseSync } from 'node:sqlite'
import { Transactor } from '../../../node/store/transaction.ts'

describe('node/store/transaction', () => {
  let db: DatabaseSync
  let tx: Transactor
  const count = (): number => (db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n

  beforeEach(() => {
    db = new DatabaseSync(':memory:')
    db.exec('CREATE TABLE t (x INTEGER)')
    tx = new Transactor(db)
  })
  afterEach(() => { db.close() })

  it('commits the body and returns its value', () => {
    assert.equal(tx.run(() => { db.exec('INSERT INTO t VALUES (1)'); return 'done' }), 'done')
    assert.equal(count(), 1)
    assert.equal(db.isTransaction, false)
  })

  it('rolls back everything when the body throws', () => {
    assert.throws(() => tx.run(() => {
      db.exec('INSERT INTO t VALUES (1)')
      throw new Error('boom')
    }), /boom/)
    assert.equal(count(), 0)
    assert.equal(db.isTransaction, false)
  })

  it('joins an enclosing transaction, so an inner failure undoes the outer work', () => {
    const other = new Transactor(db)
    assert.throws(() => tx.run(() => {
      db.exec('INSERT INTO t VALUES (1)')
      other.run(() => { db.exec('INSERT INTO t VALUES (2)') })
      throw new Error('after inner')
    }), /after inner/)
    assert.equal(count(), 0)
  })

  it('refuses an async body and rolls back what it did before the first await', async () => {
    let pending: Promise<void> | undefined
    assert.throws(() => tx.run(() => {
      db.exec('INSERT INTO t VALUES (1)')
      pending = Promise.resolve()
      return pending
    }), { name: 'AsyncTransactionError' })
    await pending
    assert.equal(count(), 0)
    assert.equal(db.isTransaction, false)
  })
})
