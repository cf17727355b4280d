// Tests the coordinator's tag keys: one per (round, client), the same key again is a no-op, another is refused.
import assert from 'node:assert/strict'
import { bytes, memoryStore, openRound } from './helpers.ts'
import type { Store } from '../../../node/store/index.ts'

describe('node/store/tag-keys', () => {
  let store: Store
  beforeEach(() => {
    store = memoryStore()
    openRound(store, 'r1')
    openRound(store, 'r2')
  })
  afterEach(() => { store.close() })

  it('keeps one key per client and round, and lists a round\'s keys by client', () => {
    store.tagKeys.save('r1', 'alice', bytes(1, 1), bytes(9))
    store.tagKeys.save('r1', 'bob', bytes(2, 2), bytes(9))
    store.tagKeys.save('r2', 'alice', bytes(3, 3), bytes(9))
    assert.deepEqual(store.tagKeys.forRound('r1'), new Map([['alice', bytes(1, 1)], ['bob', bytes(2, 2)]]))
    assert.deepEqual(store.tagKeys.forRound('empty'), new Map())
  })

  it('accepts the same key again (a resend after a restart) and refuses another', () => {
    store.tagKeys.save('r1', 'alice', bytes(1, 1), bytes(9))
    store.tagKeys.save('r1', 'alice', bytes(1, 1), bytes(8))
    assert.throws(() => store.tagKeys.save('r1', 'alice', bytes(1, 2), bytes(9)), { name: 'TagKeyConflictStoreError' })
    assert.deepEqual(store.tagKeys.forRound('r1').get('alice'), bytes(1, 1))
  })

  it('refuses a key for an unknown round and empty input', () => {
    assert.throws(() => store.tagKeys.save('ghost', 'alice', bytes(1), bytes(9)))
    assert.throws(() => store.tagKeys.save('r1', 'alice', new Uint8Array(0), bytes(9)), { name: 'InvalidStoreInputError' })
  })
})
