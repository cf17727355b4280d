// Identifiers: federation and round ids outside their character sets are refused with typed errors.
import assert from 'node:assert/strict'
import { assertFederationId, assertRoundId, federationTopic } from '../../../protocol/messages/index.ts'

describe('protocol/messages identifiers', () => {
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

})
