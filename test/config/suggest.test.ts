// Tests "did you mean": close typos and case/underscore variants match, unrelated names do not.
import assert from 'node:assert/strict'
import { suggest } from '../../config/suggest.ts'

describe('config/suggest', () => {
  const known = ['maxConnections', 'maxInboundStreams', 'logLevel', 'dataDir']

  it('finds typos and other spellings of a known name', () => {
    assert.equal(suggest('maxConections', known), 'maxConnections')
    assert.equal(suggest('max_connections', known), 'maxConnections')
    assert.equal(suggest('loglevel', known), 'logLevel')
  })

  it('stays quiet for unrelated names', () => {
    assert.equal(suggest('timeout', known), undefined)
    assert.equal(suggest('x', known), undefined)
  })
})
