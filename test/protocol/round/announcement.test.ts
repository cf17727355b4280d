// Round announcements: built from the roster, validated field by field, signed by the coordinator only.
import assert from 'node:assert/strict'
import { DOMAINS, WIRE } from '../../../protocol/messages/index.ts'
import { removeMember, setRoles } from '../../../protocol/roster/index.ts'
import { checkAnnouncementAgainstRoster, createAnnouncement, isEligible, signAnnouncement, validateAnnouncement, verifyAnnouncement } from '../../../protocol/round/index.ts'
import { signPayload } from '../../../protocol/signing/index.ts'
import { DEADLINE, OPENED_AT, PUBLIC_KEY, roundFixture } from './fixtures.ts'
import { parseEncoding } from '../../../protocol/encoding/index.ts'
import type { RoundAnnouncement } from '../../../protocol/messages/index.ts'
import type { RoundFixture } from './fixtures.ts'
import { bigintToMinimalBytes } from '../../../protocol/paillier/index.ts'
import { smallOrderHs, testKey } from '../paillier/fixtures.ts'

describe('protocol/round announcement', () => {
  let f: RoundFixture

  before(async () => {
    f = await roundFixture()
  })

  it('takes federation, roster version and (by default) every roster client from the roster', () => {
    assert.equal(f.announcement.federationId, 'acme')
    assert.equal(f.announcement.rosterVersion, f.roster.version)
    assert.deepEqual(f.announcement.eligible, f.clients.map(c => c.id))
    assert.ok(isEligible(f.announcement, f.clients[0]!.peerId))
    assert.ok(!isEligible(f.announcement, f.outsider.id))
    assert.deepEqual(WIRE.RoundAnnouncement.decode(WIRE.RoundAnnouncement.encode(f.announcement)), f.announcement)
  })

  const refusals: Array<[string, (a: RoundAnnouncement) => RoundAnnouncement, string]> = [
    ['a short nonce', a => ({ ...a, nonce: new Uint8Array(15) }), 'InvalidAnnouncementError'],
    ['a bad round id', a => ({ ...a, roundId: 'r 1' }), 'InvalidRoundIdError'],
    ['a bad aggregator peer ID', a => ({ ...a, aggregator: 'x' }), 'InvalidPeerIdError'],
    ['no public key', a => ({ ...a, publicKey: undefined }), 'InvalidAnnouncementError'],
    ['a 1024-bit modulus', a => ({ ...a, publicKey: { ...a.publicKey!, n: a.publicKey!.n.subarray(128) } }), 'KeyTooShortError'],
    ['an even modulus', a => ({ ...a, publicKey: { ...a.publicKey!, n: Uint8Array.from(a.publicKey!.n, (b, i) => i === 255 ? b & 0xfe : b) } }), 'InvalidPublicKeyError'],
    ['a modulus with a leading zero byte', a => ({ ...a, publicKey: { ...a.publicKey!, n: Uint8Array.of(0, ...a.publicKey!.n) } }), 'InvalidAnnouncementError'],
    ['an oversized h_s', a => ({ ...a, publicKey: { ...a.publicKey!, hs: new Uint8Array(513).fill(1) } }), 'InvalidPublicKeyError'],
    ['an h_s of order 51 (not derived from n)', a => ({ ...a, publicKey: { ...a.publicKey!, hs: Uint8Array.from(bigintToMinimalBytes(smallOrderHs(testKey(2048)).hs)) } }), 'DerivedHsMismatchError'],
    ['an empty key fingerprint', a => ({ ...a, keyFingerprint: '' }), 'KeyFingerprintMismatchError'],
    ['no spec', a => ({ ...a, spec: undefined }), 'InvalidAnnouncementError'],
    ['vector length 0', a => ({ ...a, spec: { ...a.spec!, length: 0 } }), 'InvalidVectorSpecError'],
    ['an unknown encoding', a => ({ ...a, spec: { ...a.spec!, encoding: 'float:32' } }), 'InvalidVectorSpecError'],
    ['a non-canonical encoding', a => ({ ...a, spec: { ...a.spec!, encoding: 'int:032' } }), 'InvalidVectorSpecError'],
    ['a clip on an int encoding', a => ({ ...a, spec: { ...a.spec!, clip: 1 } }), 'InvalidAnnouncementError'],
    ['a fixed encoding without clip', a => ({ ...a, spec: { ...a.spec!, encoding: 'fixed:16', clip: 0 } }), 'InvalidVectorSpecError'],
    ['an infinite clip', a => ({ ...a, spec: { ...a.spec!, encoding: 'fixed:16', clip: Infinity } }), 'InvalidVectorSpecError'],
    ['weightBits 63', a => ({ ...a, spec: { ...a.spec!, weightBits: 63 } }), 'InvalidVectorSpecError'],
    ['fewer maxParticipants than eligible clients', a => ({ ...a, spec: { ...a.spec!, maxParticipants: 4 } }), 'InvalidAnnouncementError'],
    ['duplicate eligible clients', a => ({ ...a, eligible: [...a.eligible, a.eligible[0]!] }), 'InvalidAnnouncementError'],
    ['a malformed eligible peer ID', a => ({ ...a, eligible: [...a.eligible.slice(1), 'bogus'] }), 'InvalidPeerIdError'],
    ['minParticipants 1 (one client in the clear)', a => ({ ...a, minParticipants: 1 }), 'InvalidAnnouncementError'],
    ['minParticipants 2 (each of two learns the other\'s vector)', a => ({ ...a, minParticipants: 2 }), 'InvalidAnnouncementError'],
    ['minParticipants above the eligible count', a => ({ ...a, minParticipants: 6 }), 'InvalidAnnouncementError'],
    ['a deadline at the opening time', a => ({ ...a, deadlineMs: a.openedAtMs }), 'InvalidAnnouncementError'],
    ['an unsafe deadline', a => ({ ...a, deadlineMs: 2 ** 53 }), 'InvalidAnnouncementError'],
    ['roster version 0', a => ({ ...a, rosterVersion: 0 }), 'InvalidAnnouncementError']
  ]
  for (const [label, mutate, errorName] of refusals) {
    it(`refuses ${label} with ${errorName}`, () => {
      assert.throws(() => validateAnnouncement(mutate(f.announcement)), { name: errorName })
    })
  }

  it('accepts a fixed-point spec with a finite clip', () => {
    assert.doesNotThrow(() => validateAnnouncement({ ...f.announcement, spec: { ...f.announcement.spec!, encoding: 'fixed:16', clip: 2.5, weightBits: 16 } }))
  })

  describe('against the roster', () => {
    it('refuses an aggregator without the aggregator role and non-client eligible peers', () => {
      assert.throws(() => checkAnnouncementAgainstRoster({ ...f.announcement, aggregator: f.clients[0]!.id }, f.roster), { name: 'InvalidAnnouncementError', message: /aggregator role/ })
      assert.throws(() => checkAnnouncementAgainstRoster({ ...f.announcement, eligible: [f.outsider.id, ...f.announcement.eligible] }, f.roster), { name: 'InvalidAnnouncementError', message: /client role/ })
      const demoted = setRoles(f.roster, f.clients[1]!.id, ['aggregator'], OPENED_AT)
      assert.throws(() => checkAnnouncementAgainstRoster(f.announcement, demoted), { name: 'InvalidAnnouncementError' })
    })

    it('refuses another federation and a roster older than the round', () => {
      assert.throws(() => checkAnnouncementAgainstRoster({ ...f.announcement, federationId: 'other' }, f.roster), { name: 'InvalidAnnouncementError', message: /federationId/ })
      assert.throws(() => checkAnnouncementAgainstRoster({ ...f.announcement, rosterVersion: f.roster.version + 1 }, f.roster), { name: 'InvalidAnnouncementError', message: /fetch the newer roster/ })
    })

    it('lets createAnnouncement use an explicit eligible subset and refuses removed members', () => {
      const subset = f.clients.slice(0, 3).map(c => c.id)
      const spec = { length: 10, encoding: parseEncoding('int:32'), maxParticipants: 10 }
      const a = createAnnouncement({ roster: f.roster, roundId: 'r-2', nonce: new Uint8Array(16), aggregator: f.aggregator.id, publicKey: PUBLIC_KEY, spec, eligible: subset, minParticipants: 3, openedAtMs: OPENED_AT, deadlineMs: DEADLINE })
      assert.deepEqual(a.announcement.eligible, subset)
      const smaller = removeMember(f.roster, f.clients[4]!.id, OPENED_AT)
      assert.throws(() => createAnnouncement({ roster: smaller, roundId: 'r-3', nonce: new Uint8Array(16), aggregator: f.aggregator.id, publicKey: PUBLIC_KEY, spec, eligible: f.announcement.eligible, minParticipants: 3, openedAtMs: OPENED_AT, deadlineMs: DEADLINE }), { name: 'InvalidAnnouncementError' })
    })

    it('refuses to create a round with minParticipants 2: the protocol floor is 3', () => {
      const spec = { length: 10, encoding: parseEncoding('int:32'), maxParticipants: 10 }
      const eligible = f.clients.slice(0, 3).map(c => c.id)
      assert.throws(() => createAnnouncement({ roster: f.roster, roundId: 'r-4', nonce: new Uint8Array(16), aggregator: f.aggregator.id, publicKey: PUBLIC_KEY, spec, eligible, minParticipants: 2, openedAtMs: OPENED_AT, deadlineMs: DEADLINE }),
        { name: 'InvalidAnnouncementError', message: /minParticipants: expected 3\.\.3/ })
    })
  })

  describe('signatures', () => {
    it('verifies an announcement signed by the coordinator', async () => {
      const signed = await signAnnouncement(f.coordinator.privateKey, f.announcement)
      assert.equal(signed.domain, DOMAINS.announcement)
      assert.deepEqual((await verifyAnnouncement(signed, f.coordinator.id)).announcement, f.announcement)
    })

    it('refuses an announcement signed by anyone else, e.g. the aggregator', async () => {
      const signed = await signAnnouncement(f.aggregator.privateKey, f.announcement)
      await assert.rejects(verifyAnnouncement(signed, f.coordinator.peerId), { name: 'UnexpectedSignerError' })
    })

    it('refuses a signed but invalid announcement and will not sign one', async () => {
      const invalid = { ...f.announcement, minParticipants: 1 }
      await assert.rejects(signAnnouncement(f.coordinator.privateKey, invalid), { name: 'InvalidAnnouncementError' })
      const signed = await signPayload(f.coordinator.privateKey, DOMAINS.announcement, WIRE.RoundAnnouncement.encode(invalid))
      await assert.rejects(verifyAnnouncement(signed, f.coordinator.id), { name: 'InvalidAnnouncementError' })
    })
  })
})
