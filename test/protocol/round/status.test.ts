// Tests the round-status vocabulary: forward-only order, final outcomes, and one word per state on every role.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { RESULT_STATUS, TRANSCRIPT_STATUS } from '../../../protocol/messages/index.ts'
import {
  ROUND_FAILURE_REASONS, ROUND_OUTCOMES, ROUND_STATUSES, TERMINAL_ROUND_STATUSES, canTransition, isRoundOutcome, isRoundStatus, observedRoundStatus
} from '../../../protocol/round/index.ts'
import type { RoundObservation, RoundStatus } from '../../../protocol/round/index.ts'

const status = fc.constantFrom(...ROUND_STATUSES)

describe('protocol/round/status', () => {
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

  it('uses the outcome words on the wire: RoundResult.status is an outcome, Transcript.status a status', () => {
    assert.deepEqual(Object.values(RESULT_STATUS).sort(), [...ROUND_OUTCOMES].sort())
    for (const status of Object.values(TRANSCRIPT_STATUS)) assert.ok(isRoundStatus(status), status)
    assert.ok(isRoundOutcome('corrupt'))
    assert.ok(!isRoundOutcome('released'))
  })

  it('has reason codes that are their own label values', () => {
    for (const [key, code] of Object.entries(ROUND_FAILURE_REASONS)) {
      assert.equal(code, key)
      assert.match(code, /^[a-z_]+$/)
    }
  })

  describe('observedRoundStatus: every role reports the same word for the same state', () => {
    const deadlineMs = 10_000
    const before = deadlineMs - 1
    const after = deadlineMs + 1
    type Roles = Record<'coordinator' | 'aggregator' | 'client', RoundObservation>
    /** A state in which all three roles know the same. */
    const everyRole = (observation: RoundObservation): Roles => ({ coordinator: observation, aggregator: observation, client: observation })
    /** What coordinator, aggregator and a client each know in one state of the round. */
    const states: Array<{ state: string, expected: RoundStatus, roles: Roles }> = [
      { state: 'announced, before the deadline', expected: 'open', roles: everyRole({ recorded: 'open', deadlineMs, nowMs: before }) },
      { state: 'deadline passed, aggregator not closed yet', expected: 'closed', roles: everyRole({ recorded: 'open', deadlineMs, nowMs: after }) },
      {
        state: 'every client contributed, the aggregator closed early and is signing',
        expected: 'closed',
        roles: {
          coordinator: { recorded: 'open', deadlineMs, nowMs: after },
          aggregator: { recorded: 'closed', deadlineMs, nowMs: before },
          client: { recorded: 'open', deadlineMs, nowMs: after }
        }
      },
      {
        state: 'released, not yet decrypted',
        expected: 'released',
        roles: {
          coordinator: { recorded: 'open', deadlineMs, nowMs: before, transcript: 'released' },
          aggregator: { recorded: 'released', deadlineMs, nowMs: before },
          client: { recorded: 'open', deadlineMs, nowMs: after, transcript: 'released' }
        }
      },
      {
        state: 'failed below quorum',
        expected: 'failed',
        roles: {
          coordinator: { recorded: 'failed', deadlineMs, nowMs: after, transcript: 'failed' },
          aggregator: { recorded: 'failed', deadlineMs, nowMs: after },
          client: { recorded: 'open', deadlineMs, nowMs: after, transcript: 'failed' }
        }
      },
      {
        state: 'decrypted',
        expected: 'decrypted',
        roles: {
          coordinator: { recorded: 'decrypted', deadlineMs, nowMs: after },
          aggregator: { recorded: 'released', deadlineMs, nowMs: after, result: 'decrypted' },
          client: { recorded: 'open', deadlineMs, nowMs: after, transcript: 'released', result: 'decrypted' }
        }
      },
      {
        state: 'corrupt',
        expected: 'corrupt',
        roles: {
          coordinator: { recorded: 'corrupt', deadlineMs, nowMs: after },
          aggregator: { recorded: 'released', deadlineMs, nowMs: after, result: 'corrupt' },
          client: { recorded: 'open', deadlineMs, nowMs: after, result: 'corrupt' }
        }
      }
    ]
    for (const { state, expected, roles } of states) {
      it(`${state}: ${expected}`, () => {
        for (const [role, observation] of Object.entries(roles)) {
          assert.equal(observedRoundStatus(observation), expected, role)
        }
      })
    }

    it('never moves a recorded outcome, and never reports less than recorded', () => {
      const observation = fc.record({
        recorded: status,
        nowMs: fc.nat(20_000),
        transcript: fc.option(fc.constantFrom('released' as const, 'failed' as const), { nil: undefined }),
        result: fc.option(fc.constantFrom(...ROUND_OUTCOMES), { nil: undefined })
      })
      fc.assert(fc.property(observation, ({ recorded, nowMs, transcript, result }) => {
        const observed = observedRoundStatus({ recorded, deadlineMs, nowMs, ...(transcript === undefined ? {} : { transcript }), ...(result === undefined ? {} : { result }) })
        if (TERMINAL_ROUND_STATUSES.has(recorded)) assert.equal(observed, recorded)
        else assert.ok(observed === recorded || canTransition(recorded, observed), `${recorded} -> ${observed}`)
      }))
    })
  })
})
