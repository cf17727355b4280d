// Tests the client's outgoing submissions: the first kept wins, and settling saves the receipt and drops the bytes together.
import assert from 'node:assert/strict'
import { openStore } from '../../../node/store/index.ts'
import type { Store } from '../../../node/store/index.ts'
import { bytes, fakeClock, memoryStore, tempDir } from './helpers.ts'

describe('node/store/outgoing', () => {
  let store: Store
  beforeEach(() => { store = memoryStore(fakeClock(7).now) })
  afterEach(() => { store.close() })

  it('keeps a submission per round, without needing the round stored', () => {
    const kept = store.outgoing.keep('r1', { ciphertexts: bytes(1, 2), digest: bytes(3), valuesDigest: bytes(4), tagKey: bytes(6) })
    assert.deepEqual(kept, { roundId: 'r1', ciphertexts: bytes(1, 2), digest: bytes(3), valuesDigest: bytes(4), tagKey: bytes(6), savedAtMs: 7 })
    assert.deepEqual(store.outgoing.get('r1'), kept)
    assert.equal(store.outgoing.get('r2'), undefined)
  })

  it('returns the first submission kept for a round, whatever is offered later', () => {
    const first = store.outgoing.keep('r1', { ciphertexts: bytes(1), digest: bytes(3), valuesDigest: bytes(4), tagKey: bytes(6) })
    assert.deepEqual(store.outgoing.keep('r1', { ciphertexts: bytes(9), digest: bytes(8), valuesDigest: bytes(7), tagKey: bytes(6) }), first)
    assert.deepEqual(store.outgoing.keep('r2', { ciphertexts: bytes(9), digest: bytes(8), valuesDigest: bytes(7), tagKey: bytes(6) }).ciphertexts, bytes(9))
  })

  it('saves the receipt and drops the outgoing bytes when a round settles', () => {
    store.outgoing.keep('r1', { ciphertexts: bytes(1), digest: bytes(3), valuesDigest: bytes(4), tagKey: bytes(6) })
    store.outgoing.keep('r2', { ciphertexts: bytes(2), digest: bytes(5), valuesDigest: bytes(6), tagKey: bytes(6) })
    const saved = store.outgoing.settle('r1', bytes(10), bytes(3))
    assert.deepEqual(saved, { roundId: 'r1', receipt: bytes(10), digest: bytes(3), savedAtMs: 7 })
    assert.deepEqual(store.receipts.get('r1'), saved)
    assert.equal(store.outgoing.get('r1'), undefined)
    assert.deepEqual(store.outgoing.get('r2')?.ciphertexts, bytes(2), 'other rounds keep theirs')
    // The same receipt again (a resend's answer) is a no-op.
    assert.deepEqual(store.outgoing.settle('r1', bytes(10), bytes(3)), saved)
  })

  it('leaves the outgoing bytes in place when the receipt conflicts with a stored one', () => {
    store.receipts.save('r1', bytes(10), bytes(3))
    store.outgoing.keep('r1', { ciphertexts: bytes(1), digest: bytes(5), valuesDigest: bytes(4), tagKey: bytes(6) })
    assert.throws(() => store.outgoing.settle('r1', bytes(11), bytes(5)), { name: 'ReceiptConflictError' })
    assert.deepEqual(store.outgoing.get('r1')?.ciphertexts, bytes(1))
    assert.deepEqual(store.receipts.get('r1')?.receipt, bytes(10))
  })

  it('refuses empty input', () => {
    assert.throws(() => store.outgoing.keep('', { ciphertexts: bytes(1), digest: bytes(1), valuesDigest: bytes(1), tagKey: bytes(6) }), { name: 'InvalidStoreInputError' })
    assert.throws(() => store.outgoing.keep('r1', { ciphertexts: new Uint8Array(0), digest: bytes(1), valuesDigest: bytes(1), tagKey: bytes(6) }), { name: 'InvalidStoreInputError' })
    assert.throws(() => store.outgoing.keep('r1', { ciphertexts: bytes(1), digest: bytes(1), valuesDigest: new Uint8Array(0), tagKey: bytes(6) }), { name: 'InvalidStoreInputError' })
    assert.throws(() => store.outgoing.keep('r1', { ciphertexts: bytes(1), digest: bytes(1), valuesDigest: bytes(1), tagKey: new Uint8Array(0) }), { name: 'InvalidStoreInputError' })
    assert.equal(store.outgoing.get('r1'), undefined)
  })

  it('keeps a submission across close and reopen', () => {
    const dir = tempDir()
    try {
      const first = openStore(dir.dbPath)
      first.outgoing.keep('r1', { ciphertexts: bytes(1, 2), digest: bytes(3), valuesDigest: bytes(4), tagKey: bytes(6) })
      first.close()
      const second = openStore(dir.dbPath)
      try {
        assert.deepEqual(second.outgoing.get('r1')?.ciphertexts, bytes(1, 2))
      } finally {
        second.close()
      }
    } finally {
      dir.remove()
    }
  })
})
