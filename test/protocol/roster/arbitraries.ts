// Roster generators and checks shared by the roster fuzz tests: near-valid rosters and the invariants of a valid one.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { ROLES } from '../../../protocol/messages/index.ts'
import type { Roster, RosterMember } from '../../../protocol/messages/index.ts'
import { MAX_BOOTSTRAP_ADDRS } from '../../../protocol/roster/index.ts'

/** Everything validateRoster documents it may throw. */
export const ROSTER_ERRORS = ['InvalidRosterError', 'InvalidPeerIdError', 'InvalidFederationIdError', 'DuplicateMemberError', 'InvalidRoleError', 'CannotRemoveCoordinatorError']

/**
 * Rosters close to valid: a valid roster over real peer IDs, then 0 to 3 damaged fields, each
 * drawn from real peer IDs and damaged spellings of them, real roles mixed with junk, names with
 * control characters or over the length limit, good and bad multiaddrs, and versions and times
 * at the edges of the safe-integer range.
 */
export function nearValidRosters (peerIds: readonly string[]): fc.Arbitrary<Roster> {
  const [coordinator = '', ...others] = peerIds
  const peerId = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...peerIds) },
    { weight: 1, arbitrary: fc.constantFrom(...peerIds).map(id => id.toLowerCase()) },
    { weight: 1, arbitrary: fc.constantFrom(...peerIds).map(id => id.slice(0, -1)) },
    { weight: 1, arbitrary: fc.constantFrom('', 'QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N', 'bafzaajaiaejcb6c3yy3n3y7wgmhyy6pcc7nnbjwlnc4fthhpmxllc3ilk7kxwpjc', '12D3KooW', 'z'.repeat(200)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 60 }) }
  )
  const role = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...ROLES) }, { weight: 1, arbitrary: fc.constantFrom('', 'Client', 'admin', 'client ') })
  const name = fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('a\u001b[2J', 'line\nbreak', '\u0085', 'x'.repeat(129)), fc.string({ unit: 'grapheme', maxLength: 130 }))
  const member: fc.Arbitrary<RosterMember> = fc.record({ peerId, name, roles: fc.array(role, { maxLength: 4 }) }, { noNullPrototype: true })
  const multiaddr = fc.oneof(
    fc.constantFrom('/ip4/127.0.0.1/tcp/4001', `/dns4/hq.example/tcp/4001/p2p/${coordinator}`, '/ip6/::1/tcp/1', '/ip4/256.0.0.1/tcp/1', '/tcp/99999', 'not-a-multiaddr', '/', '', `/ip4/1.2.3.4${'/tcp/1'.repeat(100)}`),
    fc.string({ maxLength: 40 }).map(text => `/${text}`)
  )
  // Decoded uint64 fields are at most 2^53 − 1 (the varint reader refuses more), but validation sees whatever it is given.
  const counter = fc.oneof(fc.constantFrom(0, 1, 2, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1, -1, 0.5, Number.NaN), fc.nat())
  const valid = fc.record({
    clients: fc.subarray(others),
    aggregator: fc.option(fc.constantFrom(...others), { nil: undefined }),
    names: fc.array(fc.string({ unit: 'grapheme-ascii', maxLength: 12 }), { minLength: peerIds.length, maxLength: peerIds.length }),
    version: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
    issuedAtMs: fc.nat({ max: Number.MAX_SAFE_INTEGER })
  }).map(({ clients, aggregator, names, version, issuedAtMs }): Roster => ({
    federationId: 'acme',
    version,
    coordinator,
    members: [
      { peerId: coordinator, name: names[0] ?? '', roles: ['coordinator'] },
      ...others.filter(id => clients.includes(id) || id === aggregator).map((id, i) => ({
        peerId: id,
        name: names[i + 1] ?? '',
        roles: ROLES.filter(r => (r === 'client' && clients.includes(id)) || (r === 'aggregator' && id === aggregator))
      }))
    ],
    bootstrap: [`/dns4/hq.example/tcp/4001/p2p/${coordinator}`],
    issuedAtMs
  }))
  type Damage = (roster: Roster) => Roster
  const damage: fc.Arbitrary<Damage> = fc.oneof(
    fc.oneof(fc.constantFrom('', 'Acme', '-acme', 'a'.repeat(65), 'f.e_d-1'), fc.string({ maxLength: 70 })).map((federationId): Damage => r => ({ ...r, federationId })),
    counter.map((version): Damage => r => ({ ...r, version })),
    counter.map((issuedAtMs): Damage => r => ({ ...r, issuedAtMs })),
    peerId.map((id): Damage => r => ({ ...r, coordinator: id })),
    fc.array(member, { maxLength: 6 }).map((members): Damage => r => ({ ...r, members })),
    fc.tuple(fc.nat(), member).map(([at, replacement]): Damage => r => ({ ...r, members: r.members.map((m, i) => i === at % r.members.length ? replacement : m) })),
    fc.nat().map((at): Damage => r => ({ ...r, members: [...r.members, ...r.members.slice(at % (r.members.length + 1)).slice(0, 1)] })),
    fc.array(multiaddr, { maxLength: 3 }).map((bootstrap): Damage => r => ({ ...r, bootstrap }))
  )
  return fc.tuple(valid, fc.array(damage, { maxLength: 2 })).map(([roster, changes]) => changes.reduce((out, change) => change(out), roster))
}

/** A roster that validated must satisfy the rules validateRoster promises. */
export function assertRosterInvariants (roster: Roster): void {
  const ids = roster.members.map(member => member.peerId)
  assert.equal(new Set(ids).size, ids.length, 'members are unique')
  assert.deepEqual(roster.members.filter(member => member.roles.includes('coordinator')).map(member => member.peerId), [roster.coordinator])
  assert.ok(Number.isSafeInteger(roster.version) && roster.version >= 1)
  assert.ok(roster.bootstrap.length <= MAX_BOOTSTRAP_ADDRS)
}
