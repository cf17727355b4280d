// Coordinator round: open -> decrypted | failed | corrupt exactly once, with the transcript and count slot checked.
import assert from 'node:assert/strict'
import {
  buildRoundResult, checkTranscriptForRound, openCoordinatorRound, recordCorrupt, recordDecrypted, recordFailed,
  restoreCoordinatorRound, signRoundResult, verifyRoundResult
} from '../../../protocol/round/index.ts'
import { announcementHash, transcriptDigest } from '../../../protocol/round/index.ts'
import { DEADLINE, digestOf, FINGERPRINT, PLACEHOLDER_STATEMENT, roundFixture } from './fixtures.ts'
import type { Transcript } from '../../../protocol/messages/index.ts'
import type { CoordinatorRoundState } from '../../../protocol/round/index.ts'
import type { RoundFixture } from './fixtures.ts'

describe('protocol/round coordinator-round', () => {
  let f: RoundFixture
  let open: CoordinatorRoundState
  let transcript: Transcript

  before(async () => {
    f = await roundFixture()
    open = openCoordinatorRound(f.round)
    transcript = {
      federationId: 'acme',
      roundId: 'r-1',
      aggregator: f.aggregator.id,
      status: 'released',
      contributors: [3, 0, 1].map((c, index) => ({ client: f.clients[c]!.id, digest: digestOf(`v${c}`), index, statement: PLACEHOLDER_STATEMENT })),
      aggregateDigest: digestOf('aggregate'),
      closedAtMs: DEADLINE,
      reason: '',
      announcementHash: announcementHash(f.announcement),
      keyFingerprint: FINGERPRINT
    }
  })

  it('opens undecided', () => {
    assert.equal(open.status, 'open')
    assert.equal(open.decidedAtMs, null)
    assert.equal(open.aggregator, f.aggregator.id)
  })

  it('records a decryption whose count slot matches the transcript, and publishes the result', async () => {
    const decrypted = recordDecrypted(open, { transcript, countSlot: 3n, nowMs: DEADLINE + 500 })
    assert.equal(decrypted.status, 'decrypted')
    assert.equal(decrypted.contributors, 3)
    const result = buildRoundResult(decrypted, { sum: [10n, 0n, 123456789012345678901234567890n], mean: [3.3, 0, 4.1e28] })
    assert.deepEqual(result.sum, ['10', '0', '123456789012345678901234567890'])
    assert.equal(result.decryptedAtMs, DEADLINE + 500)
    assert.deepEqual(await verifyRoundResult(await signRoundResult(f.coordinator.privateKey, result), f.coordinator.id), result)
  })

  it('never decides a round twice (no second decryption)', () => {
    const decrypted = recordDecrypted(open, { transcript, countSlot: 3, nowMs: DEADLINE })
    assert.throws(() => recordDecrypted(decrypted, { transcript, countSlot: 3, nowMs: DEADLINE }), { name: 'RoundNotOpenError' })
    assert.throws(() => recordFailed(decrypted, 'x', DEADLINE), { name: 'RoundNotOpenError' })
    assert.throws(() => recordCorrupt(recordFailed(open, 'x', DEADLINE), 'y', DEADLINE), { name: 'RoundNotOpenError' })
  })

  it('refuses a count slot that disagrees with the transcript', () => {
    assert.throws(() => recordDecrypted(open, { transcript, countSlot: 4n, nowMs: DEADLINE }), { name: 'InvalidRoundDocumentError', message: /count slot/ })
    // The decrypted count is published as part of the reason if it is in the message.
    assert.throws(() => recordDecrypted(open, { transcript, countSlot: 987_654_321n, nowMs: DEADLINE }), (err: Error) => !err.message.includes('987654321'))
  })

  it('refuses transcripts of another round, another aggregator, or with strangers', () => {
    assert.throws(() => checkTranscriptForRound(open, { ...transcript, roundId: 'r-9' }), { name: 'InvalidRoundDocumentError' })
    assert.throws(() => checkTranscriptForRound(open, { ...transcript, aggregator: f.outsider.id }), { name: 'InvalidRoundDocumentError' })
    assert.throws(() => checkTranscriptForRound(open, { ...transcript, announcementHash: digestOf('another announcement') }), { name: 'InvalidRoundDocumentError', message: /announcementHash/ })
    assert.throws(() => checkTranscriptForRound(open, { ...transcript, keyFingerprint: 'ab'.repeat(32) }), { name: 'InvalidRoundDocumentError', message: /keyFingerprint/ })
    const stranger = { ...transcript, contributors: [...transcript.contributors, { client: f.outsider.id, digest: digestOf('o'), index: 3, statement: PLACEHOLDER_STATEMENT }] }
    assert.throws(() => checkTranscriptForRound(open, stranger), { name: 'NotEligibleError' })
  })

  it('refuses a released transcript below quorum, and a failed transcript as a decryption', () => {
    const thin = { ...transcript, contributors: transcript.contributors.slice(0, 2) }
    assert.throws(() => recordDecrypted(open, { transcript: thin, countSlot: 2, nowMs: DEADLINE }), { name: 'QuorumNotMetError' })
    const failed = { ...transcript, status: 'failed', aggregateDigest: new Uint8Array(0), reason: 'quorum not met' }
    assert.throws(() => recordDecrypted(open, { transcript: failed, countSlot: 3, nowMs: DEADLINE }), { name: 'InvalidRoundDocumentError', message: /released/ })
  })

  it('records failed and corrupt rounds with a reason and publishes no values for them', () => {
    const failed = recordFailed(open, 'aggregator reported: quorum not met', DEADLINE + 1)
    const corrupt = recordCorrupt(open, 'guard bit set in slot 7', DEADLINE + 2)
    assert.deepEqual([failed.status, corrupt.status], ['failed', 'corrupt'])
    assert.deepEqual(buildRoundResult(corrupt), {
      federationId: 'acme', roundId: 'r-1', status: 'corrupt', contributors: 0, sum: [], mean: [], reason: 'guard bit set in slot 7', decryptedAtMs: DEADLINE + 2,
      announcementHash: announcementHash(f.announcement), keyFingerprint: FINGERPRINT, transcriptDigest: new Uint8Array(0)
    })
    // A decision made on a transcript names it.
    assert.deepEqual(buildRoundResult(recordCorrupt(open, 'tag check', DEADLINE, transcript)).transcriptDigest, transcriptDigest(transcript))
    assert.deepEqual(buildRoundResult(recordDecrypted(open, { transcript, countSlot: 3, nowMs: DEADLINE }), { sum: [1n] }).transcriptDigest, transcriptDigest(transcript))
    assert.throws(() => buildRoundResult(failed, { sum: [1n] }), { name: 'InvalidRoundStateError' })
    assert.throws(() => recordFailed(open, '', DEADLINE), { name: 'InvalidRoundStateError' })
  })

  it('publishes nothing for an open round, and needs values for a decrypted one', () => {
    assert.throws(() => buildRoundResult(open), { name: 'InvalidRoundStateError' })
    assert.throws(() => buildRoundResult(recordDecrypted(open, { transcript, countSlot: 3, nowMs: DEADLINE })), { name: 'InvalidRoundStateError' })
  })

  it('restores stored states and refuses inconsistent ones', () => {
    for (const state of [open, recordDecrypted(open, { transcript, countSlot: 3, nowMs: DEADLINE }), recordCorrupt(open, 'bad', DEADLINE)]) {
      const { status, contributors, decidedAtMs, reason } = state
      // The transcript digest lives in the signed result; a restored state needs none.
      assert.deepEqual(restoreCoordinatorRound(f.round, { status, contributors, decidedAtMs, reason }), { ...state, transcriptDigest: new Uint8Array(0) })
    }
    const broken = [
      { status: 'open' as const, contributors: 0, decidedAtMs: DEADLINE, reason: '' },
      { status: 'decrypted' as const, contributors: 2, decidedAtMs: DEADLINE, reason: '' },
      { status: 'decrypted' as const, contributors: 6, decidedAtMs: DEADLINE, reason: '' },
      { status: 'failed' as const, contributors: 0, decidedAtMs: DEADLINE, reason: '' }
    ]
    for (const stored of broken) {
      assert.throws(() => restoreCoordinatorRound(f.round, stored), { name: 'InvalidRoundStateError' }, JSON.stringify(stored))
    }
  })
})
