// Tests the round status order: forward only, terminal states final.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { ROUND_STATUSES, TERMINAL_ROUND_STATUSES, canTransition, isRoundStatus } from '../../../node/store/round-status.ts'
import type { RoundStatus } from '../../../node/store/round-status.ts'

const status = fc.constantFrom(...ROUND_STATUSES)

describe('node/store/round-status', () => {
  it('allows the usual aggregator and coordinator paths', () => {
    const paths: RoundStatus[][] = [
      ['open', 'closed', 'released', 'decrypted'],
      ['open', 'failed'],
      ['open', 'closed', 'failed'],
      ['open', 'released', 'corrupt'],
      ['open', 'decrypted']
    ]
    for (const path of paths) {
      for (let i = 1; i < path.length; i++) {
        assert.ok(canTransition(path[i - 1] as RoundStatus, path[i] as RoundStatus), path.join(' -> '))
      }
    }
  })

  it('never leaves a terminal status', () => {
    fc.assert(fc.property(status, status, (from, to) => {
      if (TERMINAL_ROUND_STATUSES.has(from)) assert.equal(canTransition(from, to), false)
    }))
  })

  it('has no self-loops and no cycles (a and b never both reach each other)', () => {
    fc.assert(fc.property(status, status, (a, b) => {
      assert.ok(!(canTransition(a, b) && canTransition(b, a)))
      if (a === b) assert.equal(canTransition(a, b), false)
    }))
  })

  it('refuses the backward moves', () => {
    assert.equal(canTransition('closed', 'open'), false)
    assert.equal(canTransition('released', 'closed'), false)
    assert.equal(canTransition('decrypted', 'corrupt'), false)
  })

  it('recognises status strings', () => {
    assert.ok(isRoundStatus('released'))
    assert.ok(!isRoundStatus('done'))
  })
})
