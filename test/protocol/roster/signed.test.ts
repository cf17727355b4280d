// Signed rosters: only the roster's coordinator can sign one, and only newer versions replace the held one.
import assert from 'node:assert/strict'
import { DOMAINS, WIRE } from '../../../protocol/messages/index.ts'
import { acceptRosterUpdate, addMember, createGenesisRoster, removeMember, signRoster, verifyRoster, verifyRosterUpdate } from '../../../protocol/roster/index.ts'
import { signPayload } from '../../../protocol/signing/index.ts'
import { testIdentities } from '../signing/identities.ts'
import type { Roster } from '../../../protocol/messages/index.ts'
import type { TestIdentity } from '../signing/identities.ts'

describe('protocol/roster signed', () => {
  let coordinator: TestIdentity
  let alice: TestIdentity
  let mallory: TestIdentity
  let v1: Roster
  let v2: Roster

  before(async () => {
    [coordinator, alice, mallory] = await testIdentities(3) as [TestIdentity, TestIdentity, TestIdentity]
    v1 = createGenesisRoster({ federationId: 'acme', coordinator: coordinator.id, issuedAtMs: 1 })
    v2 = addMember(v1, { peerId: alice.id, roles: ['client'] }, 2)
  })

  it('verifies a roster signed by its coordinator, against the dialled peer ID too', async () => {
    const signed = await signRoster(coordinator.privateKey, v2)
    assert.equal(signed.domain, DOMAINS.roster)
    assert.deepEqual(await verifyRoster(signed), v2)
    assert.deepEqual(await verifyRoster(signed, coordinator.peerId), v2)
  })

  it('will not sign with a key other than the coordinator’s', async () => {
    await assert.rejects(signRoster(alice.privateKey, v2), { name: 'UnexpectedSignerError' })
  })

  it('refuses a roster whose signer is not the coordinator it names (self-appointed coordinator)', async () => {
    const selfSigned = await signPayload(mallory.privateKey, DOMAINS.roster, WIRE.Roster.encode(v2))
    await assert.rejects(verifyRoster(selfSigned), { name: 'UnexpectedSignerError' })
  })

  it('refuses a valid roster of another federation when joining a specific coordinator', async () => {
    const malloryRoster = createGenesisRoster({ federationId: 'acme', coordinator: mallory.id, issuedAtMs: 1 })
    const signed = await signRoster(mallory.privateKey, malloryRoster)
    assert.deepEqual(await verifyRoster(signed), malloryRoster)
    await assert.rejects(verifyRoster(signed, coordinator.id), { name: 'UnexpectedSignerError' })
  })

  it('refuses tampered content and documents of another domain', async () => {
    const signed = await signRoster(coordinator.privateKey, v2)
    const tampered = { ...signed, payload: WIRE.Roster.encode({ ...v2, version: 99 }) }
    await assert.rejects(verifyRoster(tampered), { name: 'InvalidSignatureError' })
    const asReceipt = await signPayload(coordinator.privateKey, DOMAINS.receipt, WIRE.Roster.encode(v2))
    await assert.rejects(verifyRoster(asReceipt), { name: 'UnexpectedDomainError' })
  })

  it('refuses a correctly signed but invalid roster', async () => {
    const invalid = { ...v2, members: [...v2.members, v2.members[1]!] }
    const signed = await signPayload(coordinator.privateKey, DOMAINS.roster, WIRE.Roster.encode(invalid))
    await assert.rejects(verifyRoster(signed), { name: 'DuplicateMemberError' })
  })

  describe('acceptRosterUpdate', () => {
    it('accepts strictly newer versions, including jumps', () => {
      assert.equal(acceptRosterUpdate(v1, v2), v2)
      const v4 = removeMember(addMember(v2, { peerId: mallory.id, roles: ['client'] }, 3), mallory.id, 4)
      assert.equal(acceptRosterUpdate(v2, v4).version, 4)
    })

    it('refuses equal or lower versions (replays could re-admit removed members)', () => {
      assert.throws(() => acceptRosterUpdate(v2, v2), { name: 'StaleRosterError' })
      assert.throws(() => acceptRosterUpdate(v2, v1), { name: 'StaleRosterError' })
    })

    it('refuses another federation or another coordinator', () => {
      assert.throws(() => acceptRosterUpdate(v1, { ...v2, federationId: 'other' }), { name: 'RosterMismatchError', message: /federation/ })
      assert.throws(() => acceptRosterUpdate(v1, { ...v2, coordinator: mallory.id }), { name: 'RosterMismatchError', message: /coordinator/ })
    })

    it('verifyRosterUpdate checks signature, coordinator and version in one step', async () => {
      assert.deepEqual(await verifyRosterUpdate(v1, await signRoster(coordinator.privateKey, v2)), v2)
      await assert.rejects(verifyRosterUpdate(v2, await signRoster(coordinator.privateKey, v1)), { name: 'StaleRosterError' })
      const rival = createGenesisRoster({ federationId: 'acme', coordinator: mallory.id, issuedAtMs: 1 })
      await assert.rejects(verifyRosterUpdate(v1, await signRoster(mallory.privateKey, { ...rival, version: 5 })), { name: 'UnexpectedSignerError' })
    })
  })
})
