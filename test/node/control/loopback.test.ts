// Tests how the control API reads the host out of a Host header.
import assert from 'node:assert/strict'
import { hostOfHostHeader } from '../../../node/control/loopback.ts'

describe('node/control/loopback', () => {
  it('takes the host out of a Host header', () => {
    assert.equal(hostOfHostHeader('127.0.0.1:8080'), '127.0.0.1')
    assert.equal(hostOfHostHeader('[::1]:8080'), '[::1]')
    assert.equal(hostOfHostHeader('localhost'), 'localhost')
  })
})
