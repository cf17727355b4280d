// The control client resends a GET whose connection the daemon closed under it (a keep-alive race), and never a POST.
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { ControlClient } from '../../../node/control/client.ts'

/** Closes the connection of the first `drops` requests without answering, then answers { ok: true }. */
async function flakyServer (drops: number): Promise<{ server: Server, url: string, requests: () => number }> {
  let requests = 0
  const server = createServer((req, res) => {
    requests++
    if (requests <= drops) {
      req.socket.destroy()
      return
    }
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ peerId: 'p', rounds: [] }))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => requests }
}

describe('node/control/client on a closed connection', () => {
  let server: Server | undefined
  afterEach(async () => {
    server?.closeAllConnections()
    await new Promise(resolve => server?.close(resolve))
  })

  it('sends a GET again once when the daemon closed the connection without answering', async () => {
    const flaky = await flakyServer(1)
    server = flaky.server
    const status = await new ControlClient({ url: flaky.url, token: 't' }).status()
    assert.equal(status.peerId, 'p')
    assert.equal(flaky.requests(), 2)
  })

  it('gives up after the second closed connection, and never resends a POST', async () => {
    const flaky = await flakyServer(5)
    server = flaky.server
    const client = new ControlClient({ url: flaky.url, token: 't' })
    await assert.rejects(client.status(), { name: 'DaemonConnectionLostError' })
    assert.equal(flaky.requests(), 2)
    await assert.rejects(client.openRound({ length: 1, encoding: 'int:8', minParticipants: 3, deadlineSeconds: 1 }), { name: 'DaemonConnectionLostError' })
    assert.equal(flaky.requests(), 3)
  })
})
