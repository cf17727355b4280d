// Tests rounds: idempotent announcement, status transitions, closing artifacts stored atomically with the status.
import assert from 'node:assert/strict'
import { bytes, fakeClock, memoryStore, tempDir } from './helpers.ts'
import { openStore } from '../../../node/store/index.ts'
import type { Store } from '../../../node/store/index.ts'
import { WIRE } from '../../../protocol/messages/index.ts'
import { signAnnouncement } from '../../../protocol/round/index.ts'
import { roundFixture } from '../../protocol/round/fixtures.ts'

describe('node/store/rounds', () => {
  let store: Store
  let clock: ReturnType<typeof fakeClock>
  beforeEach(() => {
    clock = fakeClock(5_000)
    store = memoryStore(clock.now)
  })
  afterEach(() => { store.close() })

  const announce = (roundId: string, deadlineMs: number, ann = bytes(7, roundId.length)): void => {
    store.rounds.upsertAnnouncement({ roundId, signedAnnouncement: ann, deadlineMs, openedAtMs: 1_000 })
  }

  it('stores an announcement as an open round', () => {
    const { inserted, round } = store.rounds.upsertAnnouncement({ roundId: 'r1', signedAnnouncement: bytes(1, 2), deadlineMs: 61_000, openedAtMs: 1_000 })
    assert.equal(inserted, true)
    assert.deepEqual(round, {
      roundId: 'r1',
      signedAnnouncement: bytes(1, 2),
      deadlineMs: 61_000,
      openedAtMs: 1_000,
      status: 'open',
      statusReason: undefined,
      updatedAtMs: 5_000,
      hasClosing: false
    })
    assert.deepEqual(store.rounds.get('r1'), round)
    assert.equal(store.rounds.get('r2'), undefined)
  })

  it('accepts the same announcement again without changing the round', () => {
    announce('r1', 10)
    store.rounds.setStatus('r1', 'closed')
    const again = store.rounds.upsertAnnouncement({ roundId: 'r1', signedAnnouncement: bytes(7, 2), deadlineMs: 99, openedAtMs: 99 })
    assert.equal(again.inserted, false)
    assert.equal(again.round.status, 'closed')
    assert.equal(again.round.deadlineMs, 10)
  })

  it('refuses a different announcement under a stored round id', () => {
    announce('r1', 10)
    assert.throws(() => announce('r1', 10, bytes(8)), { name: 'RoundAnnouncementConflictError' })
    assert.deepEqual(store.rounds.get('r1')?.signedAnnouncement, bytes(7, 2))
  })

  it('lists rounds of one status, soonest deadline first', () => {
    announce('late', 300)
    announce('soon', 100)
    announce('mid', 200)
    announce('shut', 50)
    store.rounds.setStatus('shut', 'failed', 'quorum')
    assert.deepEqual(store.rounds.listByStatus('open').map(r => r.roundId), ['soon', 'mid', 'late'])
    assert.deepEqual(store.rounds.listByStatus('failed').map(r => [r.roundId, r.statusReason]), [['shut', 'quorum']])
    assert.deepEqual(store.rounds.listByStatus('decrypted'), [])
    assert.throws(() => store.rounds.listByStatus('done' as 'open'), { name: 'InvalidStoreInputError' })
  })

  it('moves a round forward and records reason and time', () => {
    announce('r1', 10)
    clock.advance(10)
    const round = store.rounds.setStatus('r1', 'released')
    assert.equal(round.status, 'released')
    assert.equal(round.updatedAtMs, 5_010)
    assert.equal(store.rounds.setStatus('r1', 'corrupt', 'guard bit set').statusReason, 'guard bit set')
  })

  it('refuses to go back or leave a terminal status', () => {
    announce('r1', 10)
    store.rounds.setStatus('r1', 'closed')
    assert.throws(() => store.rounds.setStatus('r1', 'open'), { name: 'IllegalRoundTransitionError', message: /"closed" -> "open"/ })
    store.rounds.setStatus('r1', 'decrypted')
    for (const to of ['open', 'closed', 'released', 'failed', 'corrupt', 'decrypted'] as const) {
      assert.throws(() => store.rounds.setStatus('r1', to), { name: 'IllegalRoundTransitionError' })
    }
    assert.equal(store.rounds.get('r1')?.status, 'decrypted')
  })

  it('refuses a status change for an unknown round', () => {
    assert.throws(() => store.rounds.setStatus('ghost', 'closed'), { name: 'UnknownRoundError' })
  })

  it('saves the closing transcript and aggregate with the status', () => {
    announce('r1', 10)
    assert.equal(store.rounds.closing('r1'), undefined)
    const round = store.rounds.saveClosing('r1', { status: 'released', signedTranscript: bytes(9, 9), aggregate: bytes(4, 5, 6) })
    assert.equal(round.status, 'released')
    assert.equal(round.hasClosing, true)
    assert.deepEqual(store.rounds.closing('r1'), { status: 'released', signedTranscript: bytes(9, 9), aggregate: bytes(4, 5, 6) })
  })

  it('saves a failed closing without an aggregate', () => {
    announce('r1', 10)
    store.rounds.saveClosing('r1', { status: 'failed', signedTranscript: bytes(9), reason: 'quorum: 1 < 2' })
    assert.deepEqual(store.rounds.closing('r1'), { status: 'failed', signedTranscript: bytes(9), aggregate: undefined })
    assert.equal(store.rounds.get('r1')?.statusReason, 'quorum: 1 < 2')
  })

  it('refuses an aggregate for a failed round and a release without one', () => {
    announce('r1', 10)
    assert.throws(() => store.rounds.saveClosing('r1', { status: 'failed', signedTranscript: bytes(9), aggregate: bytes(1) } as never),
      { name: 'InvalidClosingError' })
    assert.throws(() => store.rounds.saveClosing('r1', { status: 'released', signedTranscript: bytes(9) } as never),
      { name: 'InvalidStoreInputError' })
    assert.throws(() => store.rounds.saveClosing('r1', { status: 'decrypted', signedTranscript: bytes(9) } as never),
      { name: 'InvalidClosingError' })
    // 'closed' is setStatus's alone: closing artifacts always come with the round's final status.
    assert.throws(() => store.rounds.saveClosing('r1', { status: 'closed', signedTranscript: bytes(9), aggregate: bytes(1) } as never),
      { name: 'InvalidClosingError' })
    assert.equal(store.rounds.get('r1')?.status, 'open')
  })

  it('closes a round that was first marked closed (submissions stopped, transcript signed afterwards)', () => {
    announce('r1', 10)
    store.rounds.setStatus('r1', 'closed')
    assert.equal(store.rounds.closing('r1'), undefined)
    store.rounds.saveClosing('r1', { status: 'released', signedTranscript: bytes(1), aggregate: bytes(2) })
    assert.deepEqual(store.rounds.closing('r1'), { status: 'released', signedTranscript: bytes(1), aggregate: bytes(2) })
  })

  it('saves closing artifacts only once, and never after the round moved past closed', () => {
    announce('r1', 10)
    store.rounds.saveClosing('r1', { status: 'released', signedTranscript: bytes(1), aggregate: bytes(2) })
    assert.throws(() => store.rounds.saveClosing('r1', { status: 'released', signedTranscript: bytes(3), aggregate: bytes(4) }),
      { name: 'IllegalRoundTransitionError' })
    assert.deepEqual(store.rounds.closing('r1')?.signedTranscript, bytes(1))
    announce('r2', 10)
    store.rounds.setStatus('r2', 'released')
    assert.throws(() => store.rounds.saveClosing('r2', { status: 'failed', signedTranscript: bytes(1) }), { name: 'IllegalRoundTransitionError' })
    assert.equal(store.rounds.closing('r2'), undefined)
    assert.throws(() => store.rounds.saveClosing('ghost', { status: 'failed', signedTranscript: bytes(1) }), { name: 'UnknownRoundError' })
  })

  describe('announced()', () => {
    async function signedFixture (): Promise<{ f: Awaited<ReturnType<typeof roundFixture>>, signedBytes: Uint8Array }> {
      const f = await roundFixture()
      return { f, signedBytes: WIRE.SignedPayload.encode(await signAnnouncement(f.coordinator.privateKey, f.announcement)) }
    }

    it('hands out the announced round it was stored with, the same object every time', async () => {
      const { f, signedBytes } = await signedFixture()
      store.rounds.upsertAnnouncement({ roundId: 'r-1', signedAnnouncement: signedBytes, deadlineMs: f.announcement.deadlineMs, openedAtMs: 1_000, announced: f.round })
      assert.equal(store.rounds.announced('r-1'), f.round)
      assert.equal(store.rounds.announced('r-1'), f.round)
    })

    it('parses the stored bytes once after a restart, then serves the cached object', async () => {
      const { f, signedBytes } = await signedFixture()
      const dir = tempDir()
      try {
        const first = openStore(dir.dbPath)
        first.rounds.upsertAnnouncement({ roundId: 'r-1', signedAnnouncement: signedBytes, deadlineMs: f.announcement.deadlineMs, openedAtMs: 1_000 })
        first.close()
        const reopened = openStore(dir.dbPath)
        try {
          const parsed = reopened.rounds.announced('r-1')
          assert.deepEqual(parsed.announcement, f.announcement)
          assert.equal(parsed.publicKey.fingerprint, f.round.publicKey.fingerprint)
          assert.deepEqual(parsed.plan, f.round.plan)
          assert.equal(reopened.rounds.announced('r-1'), parsed)
        } finally {
          reopened.close()
        }
      } finally {
        dir.remove()
      }
    })

    it('keeps no announced round for a refused announcement', async () => {
      const { f, signedBytes } = await signedFixture()
      announce('r-1', 10)
      assert.throws(() => store.rounds.upsertAnnouncement({ roundId: 'r-1', signedAnnouncement: signedBytes, deadlineMs: 10, openedAtMs: 1_000, announced: f.round }), { name: 'RoundAnnouncementConflictError' })
      assert.throws(() => store.rounds.announced('r-1'), { name: 'MalformedMessageError' })
    })

    it('refuses a round it does not hold', () => {
      assert.throws(() => store.rounds.announced('ghost'), { name: 'UnknownRoundError' })
    })
  })
})
