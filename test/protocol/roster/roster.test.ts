// Roster edits and queries: every edit bumps the version by one, and every rule names its typed error.
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import fc from 'fast-check'
import { WIRE } from '../../../protocol/messages/index.ts'
import {
  addMember, aggregators, clients, createGenesisRoster, hasRole, isMember, memberOf, normalizeRoles,
  removedMembers, removeMember, rolesOf, setBootstrap, setRoles, validateRoster
} from '../../../protocol/roster/index.ts'
import { testIdentities } from '../signing/identities.ts'
import type { Roster } from '../../../protocol/messages/index.ts'
import type { TestIdentity } from '../signing/identities.ts'

describe('protocol/roster roster', () => {
  let coordinator: TestIdentity
  let alice: TestIdentity
  let bob: TestIdentity
  let genesis: Roster

  before(async () => {
    [coordinator, alice, bob] = await testIdentities(3) as [TestIdentity, TestIdentity, TestIdentity]
    genesis = createGenesisRoster({
      federationId: 'acme',
      coordinator: coordinator.id,
      coordinatorName: 'Acme HQ',
      coordinatorRoles: ['client'],
      bootstrap: [`/dns4/hq.acme.example/tcp/4001/p2p/${coordinator.id}`],
      issuedAtMs: 1000
    })
  })

  describe('genesis', () => {
    it('is version 1 with the coordinator holding coordinator plus its extra roles, in canonical order', () => {
      assert.equal(genesis.version, 1)
      assert.equal(genesis.coordinator, coordinator.id)
      assert.deepEqual(genesis.members, [{ peerId: coordinator.id, name: 'Acme HQ', roles: ['coordinator', 'client'] }])
      assert.equal(genesis.issuedAtMs, 1000)
    })

    it('refuses a bad federation id, coordinator or bootstrap address', () => {
      const base = { federationId: 'acme', coordinator: coordinator.id, issuedAtMs: 0 }
      assert.throws(() => createGenesisRoster({ ...base, federationId: 'Acme/1' }), { name: 'InvalidFederationIdError' })
      assert.throws(() => createGenesisRoster({ ...base, coordinator: 'nope' }), { name: 'InvalidPeerIdError' })
      assert.throws(() => createGenesisRoster({ ...base, bootstrap: ['not a multiaddr'] }), { name: 'InvalidRosterError', message: /bootstrap\[0\]/ })
      assert.throws(() => createGenesisRoster({ ...base, coordinatorRoles: ['admin'] }), { name: 'InvalidRoleError' })
      assert.throws(() => createGenesisRoster({ ...base, issuedAtMs: -1 }), { name: 'InvalidRosterError', message: /issuedAtMs/ })
    })
  })

  describe('edits', () => {
    it('adds, re-roles and removes members, one version per edit', () => {
      const v2 = addMember(genesis, { peerId: alice.id, name: 'Alice Clinic', roles: ['client'] }, 2000)
      const v3 = addMember(v2, { peerId: bob.id, roles: ['client', 'aggregator'] }, 3000)
      const v4 = setRoles(v3, alice.peerId, ['client', 'aggregator'], 4000)
      const v5 = removeMember(v4, bob.id, 5000)
      assert.deepEqual([v2, v3, v4, v5].map(r => [r.version, r.issuedAtMs]), [[2, 2000], [3, 3000], [4, 4000], [5, 5000]])
      assert.deepEqual(rolesOf(v3, bob.id), ['aggregator', 'client'])
      assert.deepEqual(clients(v3), [coordinator.id, alice.id, bob.id])
      assert.deepEqual(aggregators(v4), [alice.id, bob.id])
      assert.equal(memberOf(v3, bob.peerId)?.name, '')
      assert.ok(isMember(v4, bob.id) && !isMember(v5, bob.id))
      assert.deepEqual(removedMembers(v4, v5), [bob.id])
      assert.equal(genesis.members.length, 1, 'edits never mutate their input')
    })

    it('refuses duplicates, unknown members, invalid peer IDs and invalid roles', () => {
      const v2 = addMember(genesis, { peerId: alice.id, roles: ['client'] }, 2)
      assert.throws(() => addMember(v2, { peerId: alice.id, roles: ['aggregator'] }, 3), { name: 'DuplicateMemberError' })
      assert.throws(() => addMember(v2, { peerId: coordinator.id, roles: ['client'] }, 3), { name: 'DuplicateMemberError' })
      assert.throws(() => removeMember(v2, bob.id, 3), { name: 'UnknownMemberError' })
      assert.throws(() => setRoles(v2, bob.id, ['client'], 3), { name: 'UnknownMemberError' })
      assert.throws(() => addMember(v2, { peerId: 'QmNotAnEd25519PeerId', roles: ['client'] }, 3), { name: 'InvalidPeerIdError' })
      assert.throws(() => removeMember(v2, 'garbage', 3), { name: 'InvalidPeerIdError' })
      assert.throws(() => addMember(v2, { peerId: bob.id, roles: [] }, 3), { name: 'InvalidRoleError' })
      assert.throws(() => addMember(v2, { peerId: bob.id, roles: ['client', 'client'] }, 3), { name: 'InvalidRoleError' })
      assert.throws(() => addMember(v2, { peerId: bob.id, roles: ['superuser'] }, 3), { name: 'InvalidRoleError' })
      assert.throws(() => addMember(v2, { peerId: bob.id, roles: ['coordinator'] }, 3), { name: 'InvalidRoleError', message: /only the roster's coordinator/ })
      assert.throws(() => addMember(v2, { peerId: bob.id, name: 'evil\u001b[2J', roles: ['client'] }, 3), { name: 'InvalidRosterError' })
      assert.throws(() => addMember(v2, { peerId: bob.id, name: 'x'.repeat(129), roles: ['client'] }, 3), { name: 'InvalidRosterError' })
    })

    it('never removes the coordinator or its coordinator role', () => {
      assert.throws(() => removeMember(genesis, coordinator.id, 2), { name: 'CannotRemoveCoordinatorError' })
      assert.throws(() => setRoles(genesis, coordinator.id, ['client'], 2), { name: 'CannotRemoveCoordinatorError' })
      assert.deepEqual(rolesOf(setRoles(genesis, coordinator.id, ['client', 'coordinator'], 2), coordinator.id), ['coordinator', 'client'])
    })

    it('replaces bootstrap addresses', () => {
      const v2 = setBootstrap(genesis, ['/ip4/10.0.0.1/tcp/4001'], 7)
      assert.deepEqual(v2.bootstrap, ['/ip4/10.0.0.1/tcp/4001'])
      assert.equal(v2.version, 2)
      assert.throws(() => setBootstrap(genesis, Array(65).fill('/ip4/10.0.0.1/tcp/4001'), 7), { name: 'InvalidRosterError' })
    })
  })

  describe('queries', () => {
    it('answers nothing for strangers', () => {
      assert.deepEqual(rolesOf(genesis, bob.id), [])
      assert.ok(!isMember(genesis, bob.peerId))
      assert.ok(!hasRole(genesis, bob.id, 'client'))
      assert.ok(hasRole(genesis, coordinator.peerId, 'coordinator'))
    })
  })

  describe('validateRoster (input from peers)', () => {
    const cases: Array<[string, (r: Roster) => Roster, string]> = [
      ['version 0', r => ({ ...r, version: 0 }), 'InvalidRosterError'],
      ['unsafe version', r => ({ ...r, version: 2 ** 53 }), 'InvalidRosterError'],
      ['no coordinator entry', r => ({ ...r, members: r.members.slice(1) }), 'InvalidRosterError'],
      ['duplicate member', r => ({ ...r, members: [...r.members, r.members[1]!] }), 'DuplicateMemberError'],
      ['unknown role', r => ({ ...r, members: r.members.map((m, i) => i === 1 ? { ...m, roles: ['client', 'root'] } : m) }), 'InvalidRoleError'],
      ['roles out of canonical order', r => ({ ...r, members: r.members.map((m, i) => i === 0 ? { ...m, roles: ['client', 'coordinator'] } : m) }), 'InvalidRosterError'],
      ['second coordinator', r => ({ ...r, members: r.members.map((m, i) => i === 1 ? { ...m, roles: ['coordinator'] } : m) }), 'InvalidRoleError'],
      ['bad member peer ID', r => ({ ...r, members: r.members.map((m, i) => i === 1 ? { ...m, peerId: m.peerId.slice(1) } : m) }), 'InvalidPeerIdError']
    ]
    for (const [label, mutate, errorName] of cases) {
      it(`refuses ${label} with ${errorName}`, () => {
        const valid = addMember(genesis, { peerId: alice.id, roles: ['client'] }, 2)
        assert.doesNotThrow(() => validateRoster(valid))
        assert.throws(() => validateRoster(mutate(valid)), { name: errorName })
      })
    }

    it('refuses a non-Ed25519 member', async () => {
      const rsaLike = peerIdFromPrivateKey(await generateKeyPair('secp256k1')).toString()
      const roster = { ...genesis, members: [...genesis.members, { peerId: rsaLike, name: '', roles: ['client'] }] }
      assert.throws(() => validateRoster(roster), { name: 'InvalidPeerIdError', message: /members\[1\]\.peerId/ })
    })

    it('keeps valid rosters valid across the wire (property)', () => {
      const ops = fc.array(fc.tuple(fc.constantFrom('add-alice', 'add-bob', 'remove-alice', 'remove-bob', 'aggregate-bob'), fc.nat()), { maxLength: 12 })
      fc.assert(fc.property(ops, steps => {
        let roster = genesis
        for (const [op, ms] of steps) {
          try {
            if (op === 'add-alice') roster = addMember(roster, { peerId: alice.id, roles: ['client'] }, ms)
            if (op === 'add-bob') roster = addMember(roster, { peerId: bob.id, roles: ['client'] }, ms)
            if (op === 'remove-alice') roster = removeMember(roster, alice.id, ms)
            if (op === 'remove-bob') roster = removeMember(roster, bob.id, ms)
            if (op === 'aggregate-bob') roster = setRoles(roster, bob.id, ['aggregator'], ms)
          } catch (err) {
            assert.ok(['DuplicateMemberError', 'UnknownMemberError'].includes((err as Error).name), String(err))
          }
          assert.deepEqual(validateRoster(WIRE.Roster.decode(WIRE.Roster.encode(roster))), roster)
        }
      }), { numRuns: 100 })
    })
  })

  it('normalizes role order', () => {
    assert.deepEqual(normalizeRoles(['client', 'aggregator']), ['aggregator', 'client'])
    assert.deepEqual(normalizeRoles(['client', 'coordinator']), ['coordinator', 'client'])
  })

  it('refuses the coordinator and aggregator roles on one peer, which would let it decrypt single submissions', () => {
    assert.throws(() => normalizeRoles(['aggregator', 'coordinator']), { name: 'InvalidRoleError', message: /different peers/ })
    assert.throws(() => createGenesisRoster({ federationId: 'acme', coordinator: alice.id, coordinatorRoles: ['aggregator'], issuedAtMs: 1 }), { name: 'InvalidRoleError' })
    assert.throws(() => setRoles(genesis, coordinator.id, ['coordinator', 'aggregator'], 2000), { name: 'InvalidRoleError' })
  })
})
