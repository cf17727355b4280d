// Tests the control API's HTTP layer: auth, loopback-only binding, body validation, error mapping, /metrics.
// It drives the server against FakeFederationNode, an in-test implementation of the FederationNode
// interface: a unit test of the HTTP layer, not of the node (the e2e tests cover the real node).
import assert from 'node:assert/strict'
import { request } from 'node:http'
import { startControlServer } from '../../../node/control/server.ts'
import type { ControlServer } from '../../../node/control/server.ts'
import { createFedaggMetrics } from '../../../node/metrics/metrics.ts'
import type { FedaggMetrics } from '../../../node/metrics/metrics.ts'
import { FakeFederationNode, randomPeerId } from './fake-federation-node.ts'

const TOKEN = 'test-token-0123456789'

interface RawResponse { status: number, headers: Record<string, string | string[] | undefined>, body: string }

/** node:http instead of fetch, so tests control every header (Host, Content-Length) byte for byte. */
async function rawRequest (url: string, options: { method?: string, path: string, headers?: Record<string, string>, body?: string }): Promise<RawResponse> {
  const target = new URL(url)
  return new Promise((resolve, reject) => {
    const req = request({
      host: target.hostname.replace(/^\[|\]$/g, ''),
      port: target.port,
      method: options.method ?? 'GET',
      path: options.path,
      headers: options.headers
    }, res => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }) })
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(options.body)
  })
}

function errorOf (response: RawResponse): { name: string, message: string } {
  return (JSON.parse(response.body) as { error: { name: string, message: string } }).error
}

describe('node/control/server', () => {
  let node: FakeFederationNode
  let metrics: FedaggMetrics
  let server: ControlServer
  const auth = { authorization: `Bearer ${TOKEN}` }

  async function call (method: string, path: string, body?: unknown, headers: Record<string, string> = auth): Promise<RawResponse> {
    const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body)
    return rawRequest(server.url, { method, path, headers: { ...headers, ...(text === undefined ? {} : { 'content-type': 'application/json' }) }, body: text })
  }

  beforeEach(async () => {
    node = new FakeFederationNode({ peerId: await randomPeerId(), roles: ['coordinator'] })
    metrics = createFedaggMetrics()
    server = await startControlServer({ node, token: TOKEN, metrics, maxBodyBytes: 1024 })
  })

  afterEach(async () => {
    await server.close()
  })

  describe('auth', () => {
    it('answers 401 UnauthorizedError without a token', async () => {
      const response = await call('GET', '/status', undefined, {})
      assert.equal(response.status, 401)
      assert.equal(errorOf(response).name, 'UnauthorizedError')
    })

    it('answers 401 to a wrong token, of equal or different length', async () => {
      for (const token of ['test-token-0123456788', 'x', `${TOKEN}x`]) {
        const response = await call('GET', '/status', undefined, { authorization: `Bearer ${token}` })
        assert.equal(response.status, 401, token)
      }
      const basic = await call('GET', '/status', undefined, { authorization: `Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}` })
      assert.equal(basic.status, 401)
    })

    it('checks the token before reading the body or matching the route', async () => {
      assert.equal((await call('POST', '/members', '{not json', {})).status, 401)
      assert.equal((await call('GET', '/no/such/route', undefined, {})).status, 401)
    })

    it('serves the node status with the right token', async () => {
      const response = await call('GET', '/status')
      assert.equal(response.status, 200)
      assert.match(response.headers['content-type'] as string, /^application\/json/)
      assert.equal(JSON.parse(response.body).peerId, node.peerId)
    })
  })

  describe('loopback only', () => {
    it('refuses to bind anything but loopback', async () => {
      for (const host of ['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'example.com', '::ffff:10.0.0.1']) {
        await assert.rejects(startControlServer({ node, token: TOKEN, host }), { name: 'NonLoopbackHostError' }, host)
      }
    })

    it('binds 127.0.0.1 by default and accepts other loopback addresses', async () => {
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/)
      // 127.0.0.2 is loopback on Linux; where the OS has no such address (EADDRNOTAVAIL, e.g. macOS)
      // the refusal is not ours to test. Any other failure is.
      const other = await startControlServer({ node, token: TOKEN, host: '127.0.0.2' }).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'EADDRNOTAVAIL') return undefined
        throw err
      })
      if (other !== undefined) {
        assert.match(other.url, /^http:\/\/127\.0\.0\.2:/)
        await other.close()
      }
    })

    it('refuses a Host header naming something else (DNS rebinding)', async () => {
      const response = await call('GET', '/status', undefined, { ...auth, host: 'attacker.example:80' })
      assert.equal(response.status, 403)
      assert.equal(errorOf(response).name, 'ForbiddenHostError')
      const metricsResponse = await call('GET', '/metrics', undefined, { host: 'attacker.example' })
      assert.equal(metricsResponse.status, 403)
      assert.equal((await call('GET', '/status', undefined, { ...auth, host: 'localhost:1234' })).status, 200)
    })
  })

  describe('request bodies', () => {
    it('refuses a bad peer ID, an unknown role and an unknown field with 400 naming the field', async () => {
      const peerId = await randomPeerId()
      const cases: Array<[unknown, RegExp]> = [
        [{ peerId: 'not-a-peer-id', roles: ['client'] }, /^peerId: expected a libp2p peer ID/],
        [{ peerId, roles: ['king'] }, /^roles\.0: /],
        [{ peerId, roles: [] }, /^roles: /],
        [{ peerId, roles: ['client', 'client'] }, /^roles: expected each role at most once/],
        [{ peerId, roles: ['client'], admin: true }, /Unrecognized key: "admin"/],
        [[1, 2], /^body: /]
      ]
      for (const [body, message] of cases) {
        const response = await call('POST', '/members', body)
        assert.equal(response.status, 400, JSON.stringify(body))
        assert.equal(errorOf(response).name, 'InvalidRequestError')
        assert.match(errorOf(response).message, message)
      }
      assert.equal(node.roster()?.version, 1, 'no bad request reached the node')
    })

    it('refuses unparsable and empty JSON with 400', async () => {
      for (const body of ['{"peerId":', '']) {
        const response = await call('POST', '/members', body)
        assert.equal(response.status, 400)
        assert.equal(errorOf(response).name, 'InvalidRequestError')
      }
    })

    it('validates POST /rounds and POST /submit', async () => {
      const bad = await call('POST', '/rounds', { length: 0, encoding: 'int:32', minParticipants: 2, deadlineSeconds: 60 })
      assert.equal(bad.status, 400)
      assert.match(errorOf(bad).message, /^length: /)
      const badValues = await call('POST', '/submit', { values: [1, 'two'] })
      assert.equal(badValues.status, 400)
      assert.match(errorOf(badValues).message, /^values\.1: /)
    })

    it('refuses a body over the limit with 413, by Content-Length or by count', async () => {
      const big = JSON.stringify({ values: Array.from({ length: 600 }, (_, i) => i) })
      const declared = await call('POST', '/submit', big)
      assert.equal(declared.status, 413)
      assert.equal(errorOf(declared).name, 'RequestBodyTooLargeError')
      const chunked = await rawRequest(server.url, { method: 'POST', path: '/submit', headers: { ...auth, 'transfer-encoding': 'chunked' }, body: big })
      assert.equal(chunked.status, 413)
      assert.equal((await call('GET', '/status')).status, 200, 'the server still serves')
    })
  })

  describe('mapping onto the node', () => {
    it('adds and removes members, opens rounds and lists them', async () => {
      const peerId = await randomPeerId()
      const added = await call('POST', '/members', { peerId, roles: ['client'], name: 'org-b' })
      assert.equal(added.status, 200)
      assert.equal(JSON.parse(added.body).version, 2)
      const roster = JSON.parse((await call('GET', '/roster')).body)
      assert.deepEqual(roster.members.at(-1), { peerId, roles: ['client'], name: 'org-b' })
      const opened = await call('POST', '/rounds', { length: 2, encoding: 'int:32', minParticipants: 1, deadlineSeconds: 60 })
      assert.equal(opened.status, 200)
      const roundId = JSON.parse(opened.body).roundId as string
      assert.deepEqual(JSON.parse(opened.body).eligible, [peerId])
      assert.equal(JSON.parse((await call('GET', '/rounds')).body).length, 1)
      assert.equal(JSON.parse((await call('GET', `/rounds/${roundId}`)).body).status, 'open')
      const removed = await call('DELETE', `/members/${peerId}`)
      assert.equal(JSON.parse(removed.body).version, 3)
    })

    it('maps unknown rounds and members to 404 and role errors to 403', async () => {
      const missingRound = await call('GET', '/rounds/round-404')
      assert.equal(missingRound.status, 404)
      assert.equal(errorOf(missingRound).name, 'UnknownRoundError')
      const missingMember = await call('DELETE', `/members/${await randomPeerId()}`)
      assert.equal(missingMember.status, 404)
      assert.equal(errorOf(missingMember).name, 'UnknownMemberError')
      const notClient = await call('POST', '/submit', { values: [1, 2] })
      assert.equal(notClient.status, 403)
      assert.equal(errorOf(notClient).name, 'RoleNotHeldError')
    })

    it('answers 500 to an unexpected failure and keeps serving', async () => {
      node.failNext = new TypeError('boom')
      const failed = await call('GET', '/status')
      assert.equal(failed.status, 500)
      assert.deepEqual(errorOf(failed), { name: 'TypeError', message: 'boom' })
      assert.equal((await call('GET', '/status')).status, 200)
    })

    it('answers 404 RouteNotFoundError and 405 with Allow', async () => {
      const unknown = await call('GET', '/nope')
      assert.equal(unknown.status, 404)
      assert.equal(errorOf(unknown).name, 'RouteNotFoundError')
      const wrongMethod = await call('PUT', '/rounds')
      assert.equal(wrongMethod.status, 405)
      assert.equal(wrongMethod.headers.allow, 'POST, GET')
    })
  })

  describe('GET /rounds/:id/result', () => {
    const result = (roundId: string) => ({ roundId, status: 'decrypted' as const, contributors: 3, sum: ['3', '6'], mean: [], decryptedAtMs: 1 })

    async function openRound (): Promise<string> {
      return JSON.parse((await call('POST', '/rounds', { length: 2, encoding: 'int:32', minParticipants: 1, deadlineSeconds: 60 })).body).roundId
    }

    it('answers 409 ResultPendingError at once without ?wait', async () => {
      const roundId = await openRound()
      const response = await call('GET', `/rounds/${roundId}/result`)
      assert.equal(response.status, 409)
      assert.equal(errorOf(response).name, 'ResultPendingError')
      assert.match(errorOf(response).message, /status open/)
    })

    it('long-polls until the result arrives', async () => {
      const roundId = await openRound()
      setTimeout(() => { node.publishResult(result(roundId)) }, 100)
      const started = Date.now()
      const response = await call('GET', `/rounds/${roundId}/result?wait=10`)
      assert.equal(response.status, 200)
      assert.deepEqual(JSON.parse(response.body).sum, ['3', '6'])
      assert.ok(Date.now() - started < 5000)
    })

    it('answers ResultPendingError when the wait runs out, and 400 for a bad wait', async () => {
      const roundId = await openRound()
      const response = await call('GET', `/rounds/${roundId}/result?wait=0.2`)
      assert.equal(response.status, 409)
      assert.match(errorOf(response).message, /after 0\.2 s/)
      assert.equal((await call('GET', `/rounds/${roundId}/result?wait=soon`)).status, 400)
    })

    it('ends pending long-polls when the server closes', async () => {
      const roundId = await openRound()
      const pending = call('GET', `/rounds/${roundId}/result?wait=60`).then(r => r.status, (err: Error) => err.name)
      await new Promise(resolve => setTimeout(resolve, 100))
      const started = Date.now()
      await server.close()
      await pending
      assert.ok(Date.now() - started < 2000)
      server = await startControlServer({ node, token: TOKEN })
    })
  })

  describe('GET /metrics', () => {
    it('serves Prometheus text without a token', async () => {
      metrics.roundOpened()
      const response = await call('GET', '/metrics', undefined, {})
      assert.equal(response.status, 200)
      assert.match(response.headers['content-type'] as string, /^text\/plain; version=0\.0\.4/)
      assert.match(response.body, /^# TYPE fedagg_rounds_opened_total counter$/m)
      assert.match(response.body, /^fedagg_rounds_opened_total 1$/m)
    })

    it('is a 404 on a server started without metrics', async () => {
      const bare = await startControlServer({ node, token: TOKEN })
      try {
        assert.equal((await rawRequest(bare.url, { path: '/metrics' })).status, 401)
        assert.equal((await rawRequest(bare.url, { path: '/metrics', headers: auth })).status, 404)
      } finally {
        await bare.close()
      }
    })
  })
})
