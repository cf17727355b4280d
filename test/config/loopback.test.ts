// Tests which hosts count as loopback (the control API's bind address and Host header check).
import assert from 'node:assert/strict'
import { isLoopbackHost } from '../../config/loopback.ts'

describe('config/loopback', () => {
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
})
