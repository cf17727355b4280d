// Tests results: recorded once with the final round status, publication tracking for re-publish after a crash.
import assert from 'node:assert/strict'
import { DatabaseSync } from 'node:sqlite'
import { openStore } from '../../../node/store/index.ts'
import { bytes, fakeClock, memoryStore, openRound, tempDir } from './helpers.ts'
import type { Store } from '../../../node/store/index.ts'

describe('node/store/results', () => {
  let store: Store
  let clock: ReturnType<typeof fakeClock>
  beforeEach(() => {
    clock = fakeClock(10_000)
    store = memoryStore(clock.now)
    openRound(store, 'r1')
    openRound(store, 'r2')
    openRound(store, 'r3')
  })
  afterEach(() => { store.close() })

  it('records a result and marks the round decrypted in one step', () => {
    store.rounds.setStatus('r1', 'released')
    const record = store.results.record('r1', bytes(42))
    assert.deepEqual(record, { roundId: 'r1', status: 'decrypted', resultMessage: bytes(42), recordedAtMs: 10_000, publishedAtMs: undefined })
    assert.equal(store.rounds.get('r1')?.status, 'decrypted')
    assert.deepEqual(store.results.get('r1'), record)
    assert.equal(store.results.get('r2'), undefined)
  })

  it('records failed and corrupt outcomes with their reason', () => {
    store.results.record('r1', bytes(1), { status: 'corrupt', reason: 'guard bits set in slot 3' })
    store.results.record('r2', bytes(2), { status: 'failed', reason: 'count slot 1 < minParticipants 2' })
    assert.deepEqual([store.rounds.get('r1')?.status, store.rounds.get('r1')?.statusReason], ['corrupt', 'guard bits set in slot 3'])
    assert.equal(store.results.get('r2')?.status, 'failed')
  })

  it('refuses to record a round twice (never decrypt twice), whatever the outcome', () => {
    store.results.record('r1', bytes(1))
    assert.throws(() => store.results.record('r1', bytes(1)), { name: 'RoundAlreadyDecryptedError' })
    assert.throws(() => store.results.record('r1', bytes(2), { status: 'corrupt' }), { name: 'RoundAlreadyDecryptedError' })
    assert.deepEqual(store.results.get('r1')?.resultMessage, bytes(1))
  })

  it('stores nothing when the status change is illegal (result and status are one transaction)', () => {
    store.rounds.setStatus('r1', 'failed')
    assert.throws(() => store.results.record('r1', bytes(1)), { name: 'IllegalRoundTransitionError' })
    assert.equal(store.results.get('r1'), undefined)
    assert.equal(store.rounds.get('r1')?.status, 'failed')
  })

  it('leaves neither the status nor the result when the result insert fails after the status change', () => {
    // A second connection installs a trigger that fails every result insert, which runs after the
    // status change: if the two were separate writes, the round would stay marked decrypted.
    const dir = tempDir()
    const onDisk = openStore(dir.dbPath)
    const saboteur = new DatabaseSync(dir.dbPath)
    try {
      openRound(onDisk, 'r1')
      saboteur.exec("CREATE TRIGGER fail_result BEFORE INSERT ON results BEGIN SELECT RAISE(ABORT, 'injected failure'); END")
      assert.throws(() => onDisk.results.record('r1', bytes(1)), /injected failure/)
      assert.equal(onDisk.rounds.get('r1')?.status, 'open', 'the status change rolled back with the failed insert')
      assert.equal(onDisk.results.get('r1'), undefined)
      saboteur.exec('DROP TRIGGER fail_result')
      assert.equal(onDisk.results.record('r1', bytes(1)).status, 'decrypted', 'nothing half-done blocks a later record')
    } finally {
      saboteur.close()
      onDisk.close()
      dir.remove()
    }
  })

  it('refuses a result for an unknown round and a non-final status', () => {
    assert.throws(() => store.results.record('ghost', bytes(1)), { name: 'UnknownRoundError' })
    assert.throws(() => store.results.record('r1', bytes(1), { status: 'closed' as 'failed' }), { name: 'InvalidStoreInputError' })
    assert.equal(store.rounds.get('r1')?.status, 'open')
  })

  it('lists unpublished results oldest first until they are marked published', () => {
    store.results.record('r2', bytes(2))
    clock.advance(5)
    store.results.record('r1', bytes(1))
    clock.advance(5)
    store.results.record('r3', bytes(3))
    assert.deepEqual(store.results.unpublished().map(r => r.roundId), ['r2', 'r1', 'r3'])
    store.results.markPublished('r1')
    assert.deepEqual(store.results.unpublished().map(r => r.roundId), ['r2', 'r3'])
    assert.equal(store.results.get('r1')?.publishedAtMs, 10_010)
  })

  it('keeps the first publication time when marked again, and refuses an unknown result', () => {
    store.results.record('r1', bytes(1))
    store.results.markPublished('r1')
    clock.advance(100)
    store.results.markPublished('r1')
    assert.equal(store.results.get('r1')?.publishedAtMs, 10_000)
    assert.throws(() => store.results.markPublished('r2'), { name: 'UnknownResultError' })
  })
})
