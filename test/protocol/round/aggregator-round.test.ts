// Aggregator round: every transition (open -> closed -> released | failed) and every typed refusal of a submission.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import {
  acceptSubmission, aggregateStatus, buildReceipt, buildTranscript, checkSubmission, closeRound, failRound,
  openAggregatorRound, releaseRound, restoreAggregatorRound, shouldClose, signReceipt, signTranscript,
  validateReceipt, validateTranscript, verifyReceipt, wasCounted
} from '../../../protocol/round/index.ts'
import { DEADLINE, digestOf, EXPECTED, headerFor, OPENED_AT, PLACEHOLDER_STATEMENT, roundFixture } from './fixtures.ts'
import type { AggregatorRoundState, SubmissionAttempt } from '../../../protocol/round/index.ts'
import type { RoundFixture } from './fixtures.ts'

describe('protocol/round aggregator-round', () => {
  let f: RoundFixture
  let open: AggregatorRoundState

  before(async () => {
    f = await roundFixture()
    open = openAggregatorRound(f.round)
  })

  function attempt (clientIndex: number, content: string, nowMs = OPENED_AT + 1000): SubmissionAttempt {
    return { client: f.clients[clientIndex]!.id, header: headerFor(content), expected: EXPECTED, nowMs }
  }

  /** Accepts one submission per listed client, content = client index as text. */
  function withSubmissions (state: AggregatorRoundState, ...clientIndexes: number[]): AggregatorRoundState {
    return clientIndexes.reduce((s, i) => {
      const outcome = acceptSubmission(s, attempt(i, `v${i}`), digestOf(`v${i}`))
      assert.equal(outcome.kind, 'accepted')
      return outcome.state
    }, state)
  }

  it('opens with the announcement’s parameters and no submissions', () => {
    assert.equal(open.status, 'open')
    assert.deepEqual(open.eligible, f.announcement.eligible)
    assert.equal(open.minParticipants, 3)
    assert.equal(open.deadlineMs, DEADLINE)
    assert.deepEqual(open.submissions, [])
    assert.equal(aggregateStatus(open), 'pending')
  })

  describe('accepting submissions', () => {
    it('numbers accepted submissions in order and never mutates the old state', () => {
      const first = acceptSubmission(open, attempt(2, 'x'), digestOf('x'))
      assert.equal(first.kind, 'accepted')
      assert.deepEqual(first.submission, { client: f.clients[2]!.id, digest: digestOf('x'), index: 0, acceptedAtMs: OPENED_AT + 1000, statement: PLACEHOLDER_STATEMENT })
      const second = acceptSubmission(first.state, attempt(0, 'y', OPENED_AT + 2000), digestOf('y'))
      assert.equal(second.submission.index, 1)
      assert.equal(open.submissions.length, 0)
      assert.equal(first.state.submissions.length, 1)
    })

    it('answers an identical resend with the existing receipt index, even after the round closed', () => {
      const state = withSubmissions(open, 0, 1)
      const again = acceptSubmission(state, attempt(1, 'v1', OPENED_AT + 5000), digestOf('v1'))
      assert.equal(again.kind, 'duplicate')
      assert.equal(again.submission.index, 1)
      assert.equal(again.state, state)
      const closed = failRound(state, 'operator cancelled', OPENED_AT + 6000)
      assert.equal(checkSubmission(closed, attempt(1, 'v1', DEADLINE + 1)).kind, 'duplicate')
    })

    it('refuses different content from a client that already submitted', () => {
      const state = withSubmissions(open, 0)
      assert.throws(() => acceptSubmission(state, attempt(0, 'other'), digestOf('other')), { name: 'SubmissionConflictError' })
    })

    it('refuses peers that are not eligible (outsiders, the aggregator, the coordinator)', () => {
      for (const peer of [f.outsider, f.aggregator, f.coordinator]) {
        assert.throws(() => checkSubmission(open, { ...attempt(0, 'x'), client: peer.id }), { name: 'NotEligibleError' })
      }
    })

    it('refuses a submission for another round', () => {
      assert.throws(() => checkSubmission(open, { ...attempt(0, 'x'), header: headerFor('x', { roundId: 'r-2' }) }), { name: 'UnknownRoundError' })
    })

    it('refuses at and after the deadline while the round is still open', () => {
      assert.doesNotThrow(() => checkSubmission(open, attempt(0, 'x', DEADLINE - 1)))
      assert.throws(() => checkSubmission(open, attempt(0, 'x', DEADLINE)), { name: 'RoundDeadlinePassedError' })
    })

    it('refuses new submissions once closed, released or failed', () => {
      const closed = closeRound(withSubmissions(open, 0, 1, 2), OPENED_AT + 3000)
      const released = releaseRound(closed, digestOf('aggregate'))
      const failed = closeRound(open, OPENED_AT + 3000)
      for (const state of [closed, released, failed]) {
        assert.throws(() => checkSubmission(state, attempt(4, 'late')), { name: 'RoundClosedError' }, state.status)
      }
    })

    it('refuses headers of the wrong shape or key', () => {
      const shapes = [
        { keyFingerprint: 'sha256:ffffffffffffffffffffffffffffffff' },
        { ciphertextCount: 4 },
        { ciphertextWidth: 511 },
        { chunkCount: 0 },
        { chunkCount: 4 },
        { digest: new Uint8Array(20) }
      ]
      for (const overrides of shapes) {
        assert.throws(() => checkSubmission(open, { ...attempt(0, 'x'), header: headerFor('x', overrides) }), { name: 'SubmissionShapeError' }, JSON.stringify(Object.keys(overrides)))
      }
    })

    it('refuses content whose received digest differs from the header’s', () => {
      assert.throws(() => acceptSubmission(open, attempt(0, 'x'), digestOf('tampered in transit')), { name: 'SubmissionShapeError', message: /digest/ })
    })

    it('builds receipts that verify and that the transcript later counts', async () => {
      const outcome = acceptSubmission(withSubmissions(open, 3, 4), attempt(0, 'mine'), digestOf('mine'))
      const receipt = buildReceipt(outcome.state, outcome.submission)
      validateReceipt(receipt)
      const verified = await verifyReceipt(await signReceipt(f.aggregator.privateKey, receipt), f.aggregator.id)
      assert.deepEqual(verified, receipt)
      const released = releaseRound(closeRound(outcome.state, OPENED_AT + 4000), digestOf('aggregate'))
      assert.ok(wasCounted(buildTranscript(released), verified))
    })
  })

  describe('closing', () => {
    it('should close at the deadline, or once every eligible client submitted', () => {
      assert.ok(!shouldClose(open, DEADLINE - 1))
      assert.ok(shouldClose(open, DEADLINE))
      const almost = withSubmissions(open, 0, 1, 2, 3)
      assert.ok(!shouldClose(almost, OPENED_AT + 1))
      assert.ok(shouldClose(withSubmissions(almost, 4), OPENED_AT + 1))
      assert.ok(!shouldClose(closeRound(almost, DEADLINE), DEADLINE + 1), 'only open rounds close')
    })

    it('fails a round below quorum at once, naming the counts', () => {
      const failed = closeRound(withSubmissions(open, 0, 1), DEADLINE)
      assert.equal(failed.status, 'failed')
      assert.equal(failed.closedAtMs, DEADLINE)
      assert.equal(failed.reason, 'quorum not met: 2 of 5 eligible clients contributed, minParticipants is 3')
      assert.equal(aggregateStatus(failed), 'failed')
      const transcript = validateTranscript(buildTranscript(failed))
      assert.equal(transcript.status, 'failed')
      assert.equal(transcript.contributors.length, 2)
      assert.equal(transcript.aggregateDigest.length, 0)
    })

    it('closes a round at quorum, then releases it with the aggregate digest', async () => {
      const closed = closeRound(withSubmissions(open, 4, 2, 0), DEADLINE)
      assert.equal(closed.status, 'closed')
      assert.equal(aggregateStatus(closed), 'pending')
      assert.throws(() => buildTranscript(closed), { name: 'InvalidRoundStateError' })
      const released = releaseRound(closed, digestOf('aggregate'))
      assert.equal(aggregateStatus(released), 'ready')
      const transcript = buildTranscript(released)
      assert.deepEqual(transcript.contributors.map(c => [c.client, c.index]), [[f.clients[4]!.id, 0], [f.clients[2]!.id, 1], [f.clients[0]!.id, 2]])
      assert.deepEqual(transcript.aggregateDigest, digestOf('aggregate'))
      assert.equal(transcript.closedAtMs, DEADLINE)
      await signTranscript(f.aggregator.privateKey, transcript)
    })

    it('refuses out-of-order transitions', () => {
      const closed = closeRound(withSubmissions(open, 0, 1, 2), DEADLINE)
      assert.throws(() => closeRound(closed, DEADLINE), { name: 'RoundNotOpenError' })
      assert.throws(() => releaseRound(open, digestOf('a')), { name: 'InvalidRoundStateError' })
      assert.throws(() => releaseRound(closed, new Uint8Array(31)), { name: 'InvalidRoundStateError' })
      const released = releaseRound(closed, digestOf('a'))
      assert.throws(() => releaseRound(released, digestOf('a')), { name: 'InvalidRoundStateError' })
      assert.throws(() => failRound(released, 'too late', DEADLINE), { name: 'InvalidRoundStateError' })
      assert.throws(() => failRound(closed, '', DEADLINE), { name: 'InvalidRoundStateError' })
    })

    it('refuses to release a (corrupted) closed state below quorum', () => {
      const corrupted: AggregatorRoundState = { ...withSubmissions(open, 0), status: 'closed', closedAtMs: DEADLINE }
      assert.throws(() => releaseRound(corrupted, digestOf('a')), { name: 'QuorumNotMetError' })
    })

    it('fails an open or closed round with a reason, keeping the closing time', () => {
      const closed = closeRound(withSubmissions(open, 0, 1, 2), DEADLINE)
      const failed = failRound(closed, 'aggregate shares a factor with n', DEADLINE + 50)
      assert.equal(failed.closedAtMs, DEADLINE)
      assert.equal(failRound(open, 'cancelled', OPENED_AT + 9).closedAtMs, OPENED_AT + 9)
    })
  })

  describe('restore after a restart', () => {
    it('rebuilds every reachable state from its stored fields', () => {
      const states = [
        withSubmissions(open, 1, 3),
        closeRound(withSubmissions(open, 1, 3), DEADLINE),
        releaseRound(closeRound(withSubmissions(open, 0, 1, 3), DEADLINE), digestOf('agg')),
        closeRound(withSubmissions(open, 0, 1, 3), DEADLINE)
      ]
      for (const state of states) {
        const { status, submissions, closedAtMs, aggregateDigest, reason } = state
        assert.deepEqual(restoreAggregatorRound(f.round, { status, submissions, closedAtMs, aggregateDigest, reason }), state)
      }
    })

    it('refuses stored data that breaks the invariants', () => {
      const state = withSubmissions(open, 0, 1, 2)
      const stored = { status: state.status, submissions: state.submissions, closedAtMs: null, aggregateDigest: null, reason: '' }
      const broken = [
        { ...stored, submissions: [state.submissions[1]!, state.submissions[0]!] },
        { ...stored, submissions: [...state.submissions, { ...state.submissions[0]!, index: 3 }] },
        { ...stored, submissions: [{ ...state.submissions[0]!, client: f.outsider.id }] },
        { ...stored, closedAtMs: DEADLINE },
        { ...stored, status: 'released' as const, closedAtMs: DEADLINE },
        { ...stored, status: 'failed' as const, closedAtMs: DEADLINE },
        { ...stored, status: 'closed' as const, closedAtMs: DEADLINE, submissions: state.submissions.slice(0, 2) }
      ]
      for (const data of broken) {
        assert.throws(() => restoreAggregatorRound(f.round, data), { name: 'InvalidRoundStateError' })
      }
    })
  })

  it('keeps its invariants under any interleaving of submissions, resends and time (property)', () => {
    const step = fc.record({ client: fc.integer({ min: 0, max: 4 }), content: fc.constantFrom('a', 'b'), dt: fc.integer({ min: 0, max: 20_000 }) })
    fc.assert(fc.property(fc.array(step, { maxLength: 15 }), steps => {
      let state = open
      let now = OPENED_AT
      for (const { client, content, dt } of steps) {
        now += dt
        if (shouldClose(state, now)) state = closeRound(state, now)
        try {
          state = acceptSubmission(state, attempt(client, content, now), digestOf(content)).state
        } catch (err) {
          assert.ok(['SubmissionConflictError', 'RoundClosedError', 'RoundDeadlinePassedError'].includes((err as Error).name), String(err))
        }
        const clients = state.submissions.map(s => s.client)
        assert.equal(new Set(clients).size, clients.length)
        state.submissions.forEach((s, i) => { assert.equal(s.index, i); assert.ok(s.acceptedAtMs < DEADLINE) })
      }
      if (state.status === 'open') state = closeRound(state, Math.max(now, DEADLINE))
      assert.equal(state.status, state.submissions.length >= 3 ? 'closed' : 'failed')
    }), { numRuns: 200 })
  })
})
