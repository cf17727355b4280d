// Client-signed statements and tag keys (bound to round, announcement and key), and the client's own check of a transcript.
import assert from 'node:assert/strict'
import {
  announcementHash, contributionVerdict, roundParameters, signSubmissionStatement, signTagKey, submissionStatement, tagKeyMessage,
  verifyContributions, verifySubmissionStatement, verifyTagKey
} from '../../../protocol/round/index.ts'
import { digestOf, FINGERPRINT, OPENED_AT, roundFixture } from './fixtures.ts'
import type { RoundParameters } from '../../../protocol/round/index.ts'
import type { Receipt, Transcript } from '../../../protocol/messages/index.ts'
import type { RoundFixture } from './fixtures.ts'

describe('protocol/round statements', () => {
  let f: RoundFixture
  let round: RoundParameters

  before(async () => {
    f = await roundFixture()
    round = roundParameters(f.round)
  })

  async function transcriptOf (contents: string[]): Promise<Transcript> {
    const contributors = await Promise.all(contents.map(async (content, index) => {
      const client = f.clients[index]!
      const statement = await signSubmissionStatement(client.privateKey, submissionStatement(round, client.id, digestOf(content)))
      return { client: client.id, digest: digestOf(content), index, statement }
    }))
    return {
      federationId: 'acme',
      roundId: 'r-1',
      aggregator: f.aggregator.id,
      status: 'released',
      contributors,
      aggregateDigest: digestOf('aggregate'),
      closedAtMs: OPENED_AT + 60_000,
      reason: '',
      announcementHash: announcementHash(f.announcement),
      keyFingerprint: FINGERPRINT
    }
  }

  describe('submission statements', () => {
    it('verify for the client, round and digest they were signed for', async () => {
      const [client] = f.clients as [typeof f.clients[number]]
      const signed = await signSubmissionStatement(client.privateKey, submissionStatement(round, client.id, digestOf('x')))
      const statement = await verifySubmissionStatement(round, signed, client.id, digestOf('x'))
      assert.deepEqual(statement.announcementHash, announcementHash(f.announcement))
    })

    it('refuse another digest, round, announcement, key or signer, and a missing statement', async () => {
      const [client, other] = f.clients as [typeof f.clients[number], typeof f.clients[number]]
      const signed = await signSubmissionStatement(client.privateKey, submissionStatement(round, client.id, digestOf('x')))
      const refused = { name: 'InvalidSubmissionStatementError' }
      await assert.rejects(verifySubmissionStatement(round, signed, client.id, digestOf('y')), { ...refused, message: /digest/ })
      await assert.rejects(verifySubmissionStatement({ ...round, roundId: 'r-2' }, signed, client.id, digestOf('x')), { ...refused, message: /roundId/ })
      await assert.rejects(verifySubmissionStatement({ ...round, announcementHash: digestOf('other') }, signed, client.id, digestOf('x')), { ...refused, message: /announcementHash/ })
      await assert.rejects(verifySubmissionStatement({ ...round, keyFingerprint: 'cd'.repeat(32) }, signed, client.id, digestOf('x')), { ...refused, message: /keyFingerprint/ })
      await assert.rejects(verifySubmissionStatement(round, signed, other.id, digestOf('x')))
      await assert.rejects(verifySubmissionStatement(round, undefined, client.id, digestOf('x')), refused)
      // Nobody signs in another client's name.
      await assert.rejects(signSubmissionStatement(other.privateKey, submissionStatement(round, client.id, digestOf('x'))), { name: 'UnexpectedSignerError' })
    })

    it('let the coordinator check every listed contributor, naming the first without a valid statement', async () => {
      const transcript = await transcriptOf(['a', 'b', 'c'])
      await verifyContributions(round, transcript)
      const moved = { ...transcript, contributors: transcript.contributors.map((c, i) => i === 1 ? { ...c, digest: digestOf('forged') } : c) }
      await assert.rejects(verifyContributions(round, moved), { name: 'InvalidSubmissionStatementError', message: /contributor 1 / })
      const swapped = { ...transcript, contributors: transcript.contributors.map((c, i) => i === 2 ? { ...c, statement: transcript.contributors[0]!.statement } : c) }
      await assert.rejects(verifyContributions(round, swapped), { name: 'InvalidSubmissionStatementError', message: /contributor 2 / })
    })
  })

  describe('tag keys', () => {
    it('verify when bound to the round, and refuse another round, signer or key size', async () => {
      const [client, other] = f.clients as [typeof f.clients[number], typeof f.clients[number]]
      const key = new Uint8Array(32).fill(3)
      const signed = await signTagKey(client.privateKey, tagKeyMessage(round, client.id, key))
      assert.deepEqual((await verifyTagKey(round, signed, client.id)).tagKey, key)
      await assert.rejects(verifyTagKey({ ...round, roundId: 'r-2' }, signed, client.id), { name: 'InvalidTagKeyError' })
      await assert.rejects(verifyTagKey(round, signed, other.id))
      await assert.rejects(signTagKey(client.privateKey, tagKeyMessage(round, client.id, new Uint8Array(16))), { name: 'InvalidTagKeyError' })
    })
  })

  describe('the client\'s check of a transcript', () => {
    it('finds itself listed, left out, listed without submitting, or under another digest', async () => {
      const transcript = await transcriptOf(['a', 'b', 'c'])
      const self = f.clients[1]!.id
      const receipt: Receipt = {
        federationId: 'acme', roundId: 'r-1', client: self, aggregator: f.aggregator.id, digest: digestOf('b'), index: 1,
        acceptedAtMs: OPENED_AT + 5, announcementHash: announcementHash(f.announcement), keyFingerprint: FINGERPRINT
      }
      assert.deepEqual(contributionVerdict(self, transcript, digestOf('b'), receipt), { kind: 'listed' })
      const without = { ...transcript, contributors: transcript.contributors.filter(c => c.client !== self).map((c, index) => ({ ...c, index })) }
      assert.deepEqual(contributionVerdict(self, without, digestOf('b'), receipt), { kind: 'alarm', alarm: 'omitted' })
      assert.deepEqual(contributionVerdict(self, without, digestOf('b'), undefined), { kind: 'not-counted' }, 'never acknowledged: nothing to claim')
      assert.deepEqual(contributionVerdict(self, transcript, undefined, undefined), { kind: 'alarm', alarm: 'listed-without-submission' })
      assert.deepEqual(contributionVerdict(self, transcript, digestOf('mine'), undefined), { kind: 'alarm', alarm: 'foreign-digest' })
      assert.deepEqual(contributionVerdict(self, { ...transcript, status: 'failed' }, digestOf('b'), receipt), { kind: 'not-counted' })
    })
  })
})
