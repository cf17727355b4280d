// Wire constants: protocol IDs follow /fedagg/<name>/<semver>, topics and identifiers are validated.
import assert from 'node:assert/strict'
import { assertFederationId, assertRoundId, DOMAINS, federationTopic, isRole, PROTOCOLS } from '../../../protocol/messages/index.ts'

describe('protocol/messages constants', () => {
  it('names every protocol /fedagg/<name>/<semver>', () => {
    for (const [name, id] of Object.entries(PROTOCOLS)) {
      assert.equal(id, `/fedagg/${name}/1.0.0`)
    }
  })

  it('keeps signature domains distinct', () => {
    const domains = Object.values(DOMAINS)
    assert.equal(new Set(domains).size, domains.length)
  })

  it('derives one gossip topic per federation', () => {
    assert.equal(federationTopic('acme-health'), '/fedagg/federation/acme-health/events/1.0.0')
    assert.notEqual(federationTopic('a'), federationTopic('b'))
  })

  it('refuses federation ids that could change the topic structure or are out of range', () => {
    for (const bad of ['', 'a/b', 'Upper', '-lead', 'x'.repeat(65), 'sp ace', 'é']) {
      assert.throws(() => federationTopic(bad), { name: 'InvalidFederationIdError' }, bad)
    }
    assert.doesNotThrow(() => { assertFederationId('x'.repeat(64)) })
  })

  it('accepts typical round ids and refuses the rest', () => {
    for (const good of ['r-1700000000000', '7f1c9e4e-2b1a-4c55-9b8e-0e4b2f3a1c11', 'round:3.b_2']) {
      assert.doesNotThrow(() => { assertRoundId(good) }, good)
    }
    for (const bad of ['', '-r', 'a b', 'r/1', 'x'.repeat(129), 'r\n']) {
      assert.throws(() => { assertRoundId(bad) }, { name: 'InvalidRoundIdError' }, JSON.stringify(bad))
    }
  })

  it('knows exactly the three roles', () => {
    assert.ok(isRole('coordinator') && isRole('aggregator') && isRole('client'))
    assert.ok(!isRole('admin') && !isRole('Client') && !isRole(''))
  })
})
