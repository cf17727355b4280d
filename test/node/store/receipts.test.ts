// Tests the client's receipts: saved once per round, identical saves are no-ops, conflicting ones are refused.
import assert from 'node:assert/strict'
import { bytes, fakeClock, memoryStore } from './helpers.ts'
import type { Store } from '../../../node/store/index.ts'

describe('node/store/receipts', () => {
  let store: Store
  beforeEach(() => { store = memoryStore(fakeClock(7).now) })
  afterEach(() => { store.close() })

  it('saves and returns a receipt with its digest, without needing the round stored', () => {
    const saved = store.receipts.save('r1', bytes(1, 2), bytes(3))
    assert.deepEqual(saved, { roundId: 'r1', receipt: bytes(1, 2), digest: bytes(3), savedAtMs: 7 })
    assert.deepEqual(store.receipts.get('r1'), saved)
    assert.equal(store.receipts.get('r2'), undefined)
  })

  it('accepts the same receipt again (resend) as a no-op', () => {
    store.receipts.save('r1', bytes(1), bytes(3))
    assert.deepEqual(store.receipts.save('r1', bytes(1), bytes(3)).receipt, bytes(1))
  })

  it('refuses a different receipt or digest for the same round', () => {
    store.receipts.save('r1', bytes(1), bytes(3))
    assert.throws(() => store.receipts.save('r1', bytes(2), bytes(3)), { name: 'ReceiptConflictError' })
    assert.throws(() => store.receipts.save('r1', bytes(1), bytes(4)), { name: 'ReceiptConflictError' })
    assert.deepEqual(store.receipts.get('r1')?.receipt, bytes(1))
  })

  it('refuses empty input', () => {
    assert.throws(() => store.receipts.save('', bytes(1), bytes(1)), { name: 'InvalidStoreInputError' })
    assert.throws(() => store.receipts.save('r1', new Uint8Array(0), bytes(1)), { name: 'InvalidStoreInputError' })
  })
})
