// Tests roster versions: append-only, strictly increasing, latest wins.
import assert from 'node:assert/strict'
import { bytes, memoryStore } from './helpers.ts'
import type { Store } from '../../../node/store/index.ts'

describe('node/store/roster', () => {
  let store: Store
  beforeEach(() => { store = memoryStore() })
  afterEach(() => { store.close() })

  it('has no roster until one is saved', () => {
    assert.equal(store.roster.latest(), undefined)
  })

  it('returns the highest saved version', () => {
    store.roster.save(0, bytes(0))
    store.roster.save(1, bytes(1))
    store.roster.save(5, bytes(5))
    assert.deepEqual(store.roster.latest(), { version: 5, signedRoster: bytes(5) })
  })

  it('refuses a version equal to the latest', () => {
    store.roster.save(3, bytes(3))
    assert.throws(() => store.roster.save(3, bytes(9)), { name: 'RosterVersionNotNewerError', message: 'roster: expected a version greater than 3, got 3' })
    assert.deepEqual(store.roster.latest(), { version: 3, signedRoster: bytes(3) })
  })

  it('refuses an older version (a replayed roster)', () => {
    store.roster.save(3, bytes(3))
    assert.throws(() => store.roster.save(2, bytes(2)), (err: Error & { latest?: number, offered?: number }) =>
      err.name === 'RosterVersionNotNewerError' && err.latest === 3 && err.offered === 2)
  })

  it('refuses a negative or fractional version and an empty document', () => {
    assert.throws(() => store.roster.save(-1, bytes(1)), { name: 'InvalidStoreInputError' })
    assert.throws(() => store.roster.save(1.5, bytes(1)), { name: 'InvalidStoreInputError' })
    assert.throws(() => store.roster.save(1, new Uint8Array(0)), { name: 'InvalidStoreInputError' })
    assert.equal(store.roster.latest(), undefined)
  })
})
