// Receipts, transcripts and results: validated content, signed only by the party each names, and the client's counted check.
import assert from 'node:assert/strict'
import { DOMAINS, WIRE } from '../../../protocol/messages/index.ts'
import {
  signReceipt, signRoundResult, signTranscript, validateReceipt, validateRoundResult, validateTranscript,
  verifyReceipt, verifyRoundResult, verifyTranscript, wasCounted
} from '../../../protocol/round/index.ts'
import { signPayload } from '../../../protocol/signing/index.ts'
import { announcementHash } from '../../../protocol/round/index.ts'
import { digestOf, FINGERPRINT, OPENED_AT, PLACEHOLDER_STATEMENT, roundFixture } from './fixtures.ts'
import type { Receipt, RoundResult, Transcript } from '../../../protocol/messages/index.ts'
import type { RoundFixture } from './fixtures.ts'

describe('protocol/round documents', () => {
  let f: RoundFixture
  let receipt: Receipt
  let transcript: Transcript
  let result: RoundResult

  before(async () => {
    f = await roundFixture()
    const bindings = { announcementHash: announcementHash(f.announcement), keyFingerprint: FINGERPRINT }
    receipt = { federationId: 'acme', roundId: 'r-1', client: f.clients[1]!.id, aggregator: f.aggregator.id, digest: digestOf('b'), index: 1, acceptedAtMs: OPENED_AT + 5, ...bindings }
    transcript = {
      federationId: 'acme',
      roundId: 'r-1',
      aggregator: f.aggregator.id,
      status: 'released',
      contributors: ['a', 'b', 'c'].map((content, index) => ({ client: f.clients[index]!.id, digest: digestOf(content), index, statement: PLACEHOLDER_STATEMENT })),
      aggregateDigest: digestOf('aggregate'),
      closedAtMs: OPENED_AT + 60_000,
      reason: '',
      ...bindings
    }
    result = { federationId: 'acme', roundId: 'r-1', status: 'decrypted', contributors: 3, sum: ['12', '-3.5', '0'], mean: [4, -1.1666, 0], reason: '', decryptedAtMs: OPENED_AT + 61_000, ...bindings, transcriptDigest: digestOf('transcript') }
  })

  describe('receipts', () => {
    it('are signed and verified as the aggregator they name', async () => {
      const signed = await signReceipt(f.aggregator.privateKey, receipt)
      assert.equal(signed.domain, DOMAINS.receipt)
      assert.deepEqual(await verifyReceipt(signed, f.aggregator.id), receipt)
    })

    it('cannot be issued in another aggregator’s name', async () => {
      await assert.rejects(signReceipt(f.outsider.privateKey, receipt), { name: 'UnexpectedSignerError' })
      const forged = await signPayload(f.outsider.privateKey, DOMAINS.receipt, WIRE.Receipt.encode(receipt))
      await assert.rejects(verifyReceipt(forged), { name: 'UnexpectedSignerError' })
    })

    it('need a 32-byte digest and valid peer IDs', () => {
      assert.throws(() => validateReceipt({ ...receipt, digest: new Uint8Array(31) }), { name: 'InvalidRoundDocumentError' })
      assert.throws(() => validateReceipt({ ...receipt, client: 'me' }), { name: 'InvalidPeerIdError' })
    })
  })

  describe('transcripts', () => {
    it('are signed and verified as the aggregator they name', async () => {
      const signed = await signTranscript(f.aggregator.privateKey, transcript)
      assert.deepEqual(await verifyTranscript(signed, f.aggregator.peerId), transcript)
      await assert.rejects(verifyTranscript(signed, f.outsider.id), { name: 'UnexpectedSignerError' })
      await assert.rejects(signTranscript(f.coordinator.privateKey, transcript), { name: 'UnexpectedSignerError' })
    })

    const refusals: Array<[string, (t: Transcript) => Transcript]> = [
      ['an unknown status', t => ({ ...t, status: 'done' })],
      ['contributors out of acceptance order', t => ({ ...t, contributors: [t.contributors[1]!, t.contributors[0]!, t.contributors[2]!] })],
      ['a client counted twice', t => ({ ...t, contributors: [...t.contributors, { ...t.contributors[0]!, index: 3 }] })],
      ['a released round without aggregate digest', t => ({ ...t, aggregateDigest: new Uint8Array(0) })],
      ['a failed round with an aggregate digest', t => ({ ...t, status: 'failed', reason: 'x' })],
      ['a failed round without a reason', t => ({ ...t, status: 'failed', aggregateDigest: new Uint8Array(0) })],
      ['an overlong reason', t => ({ ...t, reason: 'x'.repeat(1025) })]
    ]
    for (const [label, mutate] of refusals) {
      it(`refuse ${label}`, () => {
        assert.throws(() => validateTranscript(mutate(transcript)), { name: 'InvalidRoundDocumentError' })
      })
    }

    it('accept a failed round with its reason', () => {
      assert.doesNotThrow(() => validateTranscript({ ...transcript, status: 'failed', aggregateDigest: new Uint8Array(0), reason: 'quorum not met' }))
    })
  })

  describe('results', () => {
    it('are signed by the coordinator and verified against it', async () => {
      const signed = await signRoundResult(f.coordinator.privateKey, result)
      assert.deepEqual(await verifyRoundResult(signed, f.coordinator.id), result)
      await assert.rejects(verifyRoundResult(await signRoundResult(f.aggregator.privateKey, result), f.coordinator.id), { name: 'UnexpectedSignerError' })
    })

    const refusals: Array<[string, (r: RoundResult) => RoundResult]> = [
      ['an unknown status', r => ({ ...r, status: 'ok' })],
      ['a decrypted round of one contributor', r => ({ ...r, contributors: 1 })],
      ['a decrypted round of two contributors', r => ({ ...r, contributors: 2 })],
      ['a decrypted round without sums', r => ({ ...r, sum: [], mean: [] })],
      ['a non-decimal sum', r => ({ ...r, sum: ['12', '1e3', '0'] })],
      ['a sum with leading zeros', r => ({ ...r, sum: ['012', '1', '0'] })],
      ['means of another length', r => ({ ...r, mean: [1] })],
      ['a NaN mean', r => ({ ...r, mean: [1, Number.NaN, 0] })],
      ['values on a corrupt round', r => ({ ...r, status: 'corrupt', reason: 'guard bit set' })],
      ['a failed round without reason', r => ({ ...r, status: 'failed', sum: [], mean: [] })]
    ]
    for (const [label, mutate] of refusals) {
      it(`refuse ${label}`, () => {
        assert.throws(() => validateRoundResult(mutate(result)), { name: 'InvalidRoundDocumentError' })
      })
    }

    it('accept sums without means, and corrupt rounds with a reason only', () => {
      assert.doesNotThrow(() => validateRoundResult({ ...result, mean: [] }))
      assert.doesNotThrow(() => validateRoundResult({ ...result, status: 'corrupt', sum: [], mean: [], contributors: 0, reason: 'guard bit set in slot 4' }))
    })
  })

  describe('wasCounted', () => {
    it('finds the receipt’s client and digest at its index in a released transcript', () => {
      assert.ok(wasCounted(transcript, receipt))
    })

    it('is false for another digest, index, round or a failed transcript', () => {
      assert.ok(!wasCounted(transcript, { ...receipt, digest: digestOf('B') }))
      assert.ok(!wasCounted(transcript, { ...receipt, index: 2 }))
      assert.ok(!wasCounted(transcript, { ...receipt, index: 9 }))
      assert.ok(!wasCounted({ ...transcript, roundId: 'r-2' }, receipt))
      assert.ok(!wasCounted({ ...transcript, status: 'failed', aggregateDigest: new Uint8Array(0), reason: 'x' }, receipt))
    })
  })
})
