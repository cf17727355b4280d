// Wire constants: protocol IDs follow /fedagg/<name>/<semver>, one topic per federation, distinct domains, three roles.
import assert from 'node:assert/strict'
import { DOMAINS, federationTopic, isRole, PROTOCOLS } from '../../../protocol/messages/index.ts'

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

  it('knows exactly the three roles', () => {
    assert.ok(isRole('coordinator') && isRole('aggregator') && isRole('client'))
    assert.ok(!isRole('admin') && !isRole('Client') && !isRole(''))
  })
})
