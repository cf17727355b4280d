// Guards the toolchain promise: npm scripts run on the pinned Node 24, not the machine's Node.
import assert from 'node:assert/strict'

describe('toolchain', () => {
  it('runs on Node 24', () => {
    assert.equal(process.versions.node.split('.')[0], '24')
  })
})
