// Tests submissions: acceptance order, identical resends, conflicting content, receipts attached after commit, ordered replay.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { bytes, memoryStore, openRound } from './helpers.ts'
import type { Store, SubmissionInput } from '../../../node/store/index.ts'

function submission (roundId: string, client: string, digest = bytes(client.length, 1), ciphertexts = bytes(client.length, 2, 3)): SubmissionInput {
  return { roundId, client, digest, ciphertexts, statement: bytes(client.length, 4), acceptedAtMs: 2_000 }
}

describe('node/store/submissions', () => {
  let store: Store
  beforeEach(() => {
    store = memoryStore()
    openRound(store, 'r1')
    openRound(store, 'r2')
  })
  afterEach(() => { store.close() })

  it('numbers submissions 0, 1, 2 … per round in acceptance order', () => {
    assert.deepEqual(store.submissions.insert(submission('r1', 'alice')), { kind: 'inserted', index: 0 })
    assert.deepEqual(store.submissions.insert(submission('r2', 'alice', bytes(9))), { kind: 'inserted', index: 0 })
    assert.deepEqual(store.submissions.insert(submission('r1', 'bob')), { kind: 'inserted', index: 1 })
    assert.deepEqual(store.submissions.insert(submission('r1', 'carol')), { kind: 'inserted', index: 2 })
    assert.equal(store.submissions.count('r1'), 3)
    assert.equal(store.submissions.count('r2'), 1)
    assert.equal(store.submissions.count('r3'), 0)
  })

  it('answers an identical resend with the original index and no receipt before one is attached', () => {
    store.submissions.insert(submission('r1', 'alice'))
    store.submissions.insert(submission('r1', 'bob'))
    assert.deepEqual(store.submissions.insert(submission('r1', 'alice')), { kind: 'duplicate', index: 0, receipt: undefined })
    assert.equal(store.submissions.count('r1'), 2)
  })

  it('answers an identical resend with the receipt once attached', () => {
    store.submissions.insert(submission('r1', 'alice'))
    assert.deepEqual(store.submissions.attachReceipt('r1', 'alice', bytes(0xee)), bytes(0xee))
    assert.deepEqual(store.submissions.insert(submission('r1', 'alice')), { kind: 'duplicate', index: 0, receipt: bytes(0xee) })
  })

  it('refuses different content for the same (round, client) and keeps the first', () => {
    store.submissions.insert(submission('r1', 'alice', bytes(1)))
    assert.throws(() => store.submissions.insert(submission('r1', 'alice', bytes(2))), { name: 'SubmissionConflictError', message: /^submission \("r1", alice\): expected the digest of the stored submission/ })
    assert.deepEqual(store.submissions.get('r1', 'alice')?.digest, bytes(1))
    assert.equal(store.submissions.count('r1'), 1)
  })

  it('refuses new content once the round is no longer open, but still answers an identical resend', () => {
    store.submissions.insert(submission('r1', 'alice'))
    store.rounds.setStatus('r1', 'closed')
    assert.throws(() => store.submissions.insert(submission('r1', 'bob')), { name: 'RoundClosedError', message: /expected status "open".*got "closed"/ })
    assert.equal(store.submissions.insert(submission('r1', 'alice')).kind, 'duplicate')
    assert.equal(store.submissions.count('r1'), 1)
  })

  it('refuses a digest already accepted in another round as a replay, by anyone', () => {
    store.submissions.insert(submission('r1', 'alice', bytes(7)))
    for (const client of ['alice', 'bob']) {
      assert.throws(() => store.submissions.insert(submission('r2', client, bytes(7))), (err: Error & { earlierRoundId?: string }) =>
        err.name === 'SubmissionReplayedStoreError' && err.earlierRoundId === 'r1')
    }
    assert.equal(store.submissions.count('r2'), 0)
    assert.equal(store.submissions.insert(submission('r1', 'alice', bytes(7))).kind, 'duplicate')
  })

  it('refuses a submission for an unknown round', () => {
    assert.throws(() => store.submissions.insert(submission('ghost', 'alice')), { name: 'UnknownRoundError' })
  })

  it('refuses empty digests and ciphertexts and bad times', () => {
    assert.throws(() => store.submissions.insert({ ...submission('r1', 'a'), digest: new Uint8Array(0) }), { name: 'InvalidStoreInputError' })
    assert.throws(() => store.submissions.insert({ ...submission('r1', 'a'), ciphertexts: new Uint8Array(0) }), { name: 'InvalidStoreInputError' })
    assert.throws(() => store.submissions.insert({ ...submission('r1', 'a'), acceptedAtMs: -1 }), { name: 'InvalidStoreInputError' })
    assert.throws(() => store.submissions.insert({ ...submission('r1', ''), client: '' }), { name: 'InvalidStoreInputError' })
  })

  it('keeps the first receipt attached (a racing second signer gets the stored one back)', () => {
    store.submissions.insert(submission('r1', 'alice'))
    assert.deepEqual(store.submissions.attachReceipt('r1', 'alice', bytes(1)), bytes(1))
    assert.deepEqual(store.submissions.attachReceipt('r1', 'alice', bytes(2)), bytes(1))
    assert.deepEqual(store.submissions.get('r1', 'alice')?.receipt, bytes(1))
  })

  it('refuses a receipt for a submission it does not have', () => {
    assert.throws(() => store.submissions.attachReceipt('r1', 'nobody', bytes(1)), { name: 'UnknownSubmissionError' })
  })

  it('returns metadata of one submission', () => {
    store.submissions.insert(submission('r1', 'alice'))
    assert.deepEqual(store.submissions.get('r1', 'alice'), { client: 'alice', index: 0, digest: bytes(5, 1), receipt: undefined, acceptedAtMs: 2_000 })
    assert.equal(store.submissions.get('r1', 'bob'), undefined)
  })

  it('replays a round in index order with ciphertexts, and finds each contributor\'s summary by client', () => {
    const clients = ['zed', 'amy', 'mo', 'bea']
    for (const c of clients) store.submissions.insert(submission('r1', c))
    store.submissions.insert(submission('r2', 'other'))
    const replay = [...store.submissions.forRound('r1')]
    assert.deepEqual(replay.map(s => [s.index, s.client]), clients.map((c, i) => [i, c]))
    assert.deepEqual(replay[1], { client: 'amy', index: 1, digest: bytes(3, 1), ciphertexts: bytes(3, 2, 3), statement: bytes(3, 4), acceptedAtMs: 2_000 })
    assert.deepEqual(replay.map(({ client, index, digest }) => ({ client, index, digest })), clients.map((c, i) => ({ client: c, index: i, digest: bytes(c.length, 1) })))
    for (const [i, c] of clients.entries()) assert.equal(store.submissions.get('r1', c)?.index, i)
    assert.deepEqual([...store.submissions.forRound('empty')], [])
  })

  it('replays two rounds interleaved without one walk breaking the other', () => {
    for (const c of ['a', 'b', 'c']) store.submissions.insert(submission('r1', c))
    for (const c of ['x', 'y']) store.submissions.insert(submission('r2', c, bytes(2, c.charCodeAt(0))))
    const one = store.submissions.forRound('r1')
    const two = store.submissions.forRound('r2')
    const seen: string[] = []
    for (let i = 0; i < 3; i++) {
      const a = one.next()
      const b = two.next()
      if (a.done !== true) seen.push(a.value.client)
      if (b.done !== true) seen.push(b.value.client)
    }
    assert.deepEqual(seen, ['a', 'x', 'b', 'y', 'c'])
  })

  it('includes rows committed during a replay (nothing accepted is skipped)', () => {
    store.submissions.insert(submission('r1', 'a'))
    const walk = store.submissions.forRound('r1')
    assert.equal(walk.next().value?.client, 'a')
    store.submissions.insert(submission('r1', 'b'))
    assert.equal(walk.next().value?.client, 'b')
    assert.equal(walk.next().done, true)
  })

  it('keeps indices contiguous and unique for any mix of new, resent and conflicting submissions', () => {
    const op = fc.record({ round: fc.constantFrom('p1', 'p2'), client: fc.constantFrom('a', 'b', 'c', 'd', 'e'), digest: fc.integer({ min: 1, max: 2 }) })
    fc.assert(fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
      const s = memoryStore()
      try {
        openRound(s, 'p1')
        openRound(s, 'p2')
        const first = new Map<string, { digest: number, index: number }>()
        for (const { round, client, digest } of ops) {
          const key = `${round}/${client}`
          const prior = first.get(key)
          if (prior !== undefined && prior.digest !== digest) {
            assert.throws(() => s.submissions.insert(submission(round, client, bytes(digest, round.length, round.charCodeAt(1)))), { name: 'SubmissionConflictError' })
            continue
          }
          // Fresh ciphertexts per round: a digest never repeats across rounds (that is a replay, tested above).
          const result = s.submissions.insert(submission(round, client, bytes(digest, round.length, round.charCodeAt(1))))
          if (prior === undefined) {
            assert.equal(result.kind, 'inserted')
            first.set(key, { digest, index: result.index })
          } else {
            assert.deepEqual(result, { kind: 'duplicate', index: prior.index, receipt: undefined })
          }
        }
        for (const round of ['p1', 'p2']) {
          const indices = [...s.submissions.forRound(round)].map(r => r.index)
          assert.deepEqual(indices, indices.map((_, i) => i))
          assert.equal(indices.length, [...first.keys()].filter(k => k.startsWith(`${round}/`)).length)
        }
      } finally {
        s.close()
      }
    }), { numRuns: 100 })
  })
})
