// Tests which hosts count as loopback for the control API.
import assert from 'node:assert/strict'
import { hostOfHostHeader, isLoopbackHost } from '../../../node/control/loopback.ts'

describe('node/control/loopback', () => {
  it('accepts 127.0.0.0/8, ::1 and localhost', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', 'localhost', 'LOCALHOST']) {
      assert.equal(isLoopbackHost(host), true, host)
    }
  })

  it('refuses every other address or name', () => {
    for (const host of ['0.0.0.0', '::', '128.0.0.1', '10.0.0.1', '::ffff:10.0.0.1', 'localhost.attacker.example', '127.0.0.1.nip.io', '']) {
      assert.equal(isLoopbackHost(host), false, host)
    }
  })

  it('takes the host out of a Host header', () => {
    assert.equal(hostOfHostHeader('127.0.0.1:8080'), '127.0.0.1')
    assert.equal(hostOfHostHeader('[::1]:8080'), '[::1]')
    assert.equal(hostOfHostHeader('localhost'), 'localhost')
  })
})
