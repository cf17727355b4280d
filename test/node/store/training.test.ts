// Tests the training tables: models by hash, a checkpoint that commits or rolls back with the round's result, published rounds.
import assert from 'node:assert/strict'
import { bytes, fakeClock, memoryStore, openRound } from './helpers.ts'
import type { Store } from '../../../node/store/index.ts'

describe('node/store/training', () => {
  let store: Store
  beforeEach(() => {
    store = memoryStore(fakeClock(10_000).now)
    openRound(store, 'r1')
    store.training.createSession('s1', '{"round":0}', 'hash-0', bytes(8))
    store.training.saveRound({ sessionId: 's1', round: 0, roundId: 'r1', modelHash: 'hash-0', signedModel: bytes(3) }, bytes(8))
  })
  afterEach(() => { store.close() })

  it('checkpoints the session with the round result in one transaction', () => {
    store.rounds.setStatus('r1', 'released')
    store.results.record('r1', bytes(42), {
      alongside: () => { store.training.checkpoint('s1', '{"round":1}', 'hash-1', bytes(9), { round: 0, outcome: '{"status":"decrypted"}' }) }
    })
    assert.equal(store.training.session('s1')?.state, '{"round":1}')
    assert.equal(store.training.session('s1')?.modelHash, 'hash-1')
    assert.deepEqual(store.training.model('hash-1'), bytes(9))
    assert.equal(store.training.round('s1', 0)?.outcome, '{"status":"decrypted"}')
  })

  it('rolls the result back when the checkpoint fails, and the checkpoint back when the result fails', () => {
    store.rounds.setStatus('r1', 'released')
    assert.throws(() => store.results.record('r1', bytes(42), {
      // Round 5 was never published: the checkpoint refuses, and the result must not stay recorded alone.
      alongside: () => { store.training.checkpoint('s1', '{"round":1}', 'hash-1', bytes(9), { round: 5, outcome: '{}' }) }
    }), { name: 'TrainingRoundConflictError' })
    assert.equal(store.results.get('r1'), undefined)
    assert.equal(store.rounds.get('r1')?.status, 'released')
    assert.equal(store.training.session('s1')?.state, '{"round":0}')

    store.results.record('r1', bytes(42))
    assert.throws(() => store.results.record('r1', bytes(43), {
      alongside: () => { store.training.checkpoint('s1', '{"round":1}', 'hash-1', bytes(9), { round: 0, outcome: '{}' }) }
    }), { name: 'RoundAlreadyDecryptedError' })
    assert.equal(store.training.session('s1')?.state, '{"round":0}')
    assert.equal(store.training.round('s1', 0)?.outcome, undefined)
  })

  it('keeps one model per round: the same signed model again is a no-op, another is refused', () => {
    store.training.saveRound({ sessionId: 's1', round: 0, roundId: 'r1', modelHash: 'hash-0', signedModel: bytes(3) }, bytes(8))
    assert.throws(() => store.training.saveRound({ sessionId: 's1', round: 0, roundId: 'r1', modelHash: 'hash-0', signedModel: bytes(4) }, bytes(8)),
      { name: 'TrainingRoundConflictError' })
    assert.equal(store.training.roundById('r1')?.round, 0)
    assert.equal(store.training.latest()?.sessionId, 's1')
    assert.equal(store.training.latest('s2'), undefined)
  })
})
