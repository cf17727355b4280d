// Tests the status page routes and /healthz on the control server: served without the token, read-only, health states, last seen.
import assert from 'node:assert/strict'
import { startControlServer } from '../../../node/control/server.ts'
import type { ControlServer } from '../../../node/control/server.ts'
import { createStatusView } from '../../../node/control/status-view.ts'
import type { PeerConnections, StatusPageView, StatusView } from '../../../node/control/status-view.ts'
import { FakeFederationNode, randomPeerId } from './fake-federation-node.ts'

const TOKEN = 'test-token-0123456789'

/** Connections a test sets by hand, with a disconnect it fires itself. */
class FakeConnections implements PeerConnections {
  peers: string[] = []
  #listeners = new Set<(peerId: string) => void>()
  connected (): string[] { return this.peers }
  onDisconnect (listener: (peerId: string) => void): () => void {
    this.#listeners.add(listener)
    return () => { this.#listeners.delete(listener) }
  }

  disconnect (peerId: string): void {
    this.peers = this.peers.filter(peer => peer !== peerId)
    for (const listener of this.#listeners) listener(peerId)
  }
}

describe('node/control/status-page', () => {
  let server: ControlServer | undefined
  let view: StatusView | undefined
  afterEach(async () => {
    view?.close()
    await server?.close()
    server = undefined
  })

  async function serve (node: FakeFederationNode, connections?: PeerConnections, now?: () => number): Promise<string> {
    view = createStatusView({ node, ...(connections === undefined ? {} : { connections }), ...(now === undefined ? {} : { now }) })
    server = await startControlServer({ node, token: TOKEN, statusView: view })
    return server.url
  }

  it('serves the page, its script and status.json without the token, and still refuses mutating routes without it', async () => {
    const node = new FakeFederationNode({ peerId: await randomPeerId(), roles: ['coordinator'] })
    const url = await serve(node)
    const page = await fetch(`${url}/`)
    assert.equal(page.status, 200)
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/)
    assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/)
    assert.match(await page.text(), /<script src="status-page.js">/)
    const script = await fetch(`${url}/status-page.js`)
    assert.equal(script.status, 200)
    assert.match(await script.text(), /fetch\('status.json'/)
    const status = await fetch(`${url}/status.json`)
    assert.equal(status.status, 200)
    const body = await status.json() as StatusPageView
    assert.equal(body.peerId, node.peerId)
    assert.equal(body.members[0]?.self, true)
    assert.equal((await fetch(`${url}/status`)).status, 401)
    const add = await fetch(`${url}/members`, { method: 'POST', body: JSON.stringify({ peerId: await randomPeerId(), roles: ['client'] }), headers: { 'content-type': 'application/json' } })
    assert.equal(add.status, 401)
    assert.equal((await fetch(`${url}/status.json`, { method: 'POST', body: '{}' })).status, 401)
  })

  it('answers /healthz 200 for a coordinator and 503 with the reason for a node not admitted, removed or cut off from its coordinator', async () => {
    const coordinator = new FakeFederationNode({ peerId: await randomPeerId(), roles: ['coordinator'] })
    let health = await fetch(`${await serve(coordinator)}/healthz`)
    assert.equal(health.status, 200)
    assert.deepEqual({ ...await health.json() as object, detail: undefined }, { ok: true, state: 'coordinator', detail: undefined })
    await server?.close()
    view?.close()

    const client = new FakeFederationNode({ peerId: await randomPeerId(), roles: ['client'] })
    const connections = new FakeConnections()
    const url = await serve(client, connections)
    health = await fetch(`${url}/healthz`)
    assert.equal(health.status, 503)
    assert.equal((await health.json() as { state: string }).state, 'not-admitted')

    // Admitted: the client now holds a roster listing it, but no connection to the coordinator yet.
    const roster = { federationId: 'f', version: 2, coordinator: coordinator.peerId, members: [{ peerId: client.peerId, name: 'c', roles: ['client' as const] }] }
    client.roster = () => roster
    health = await fetch(`${url}/healthz`)
    assert.equal(health.status, 503)
    assert.equal((await health.json() as { state: string }).state, 'coordinator-unreachable')
    connections.peers = [coordinator.peerId]
    health = await fetch(`${url}/healthz`)
    assert.equal(health.status, 200)
    assert.equal((await health.json() as { state: string }).state, 'connected')
    client.roster = () => ({ ...roster, version: 3, members: [] })
    health = await fetch(`${url}/healthz`)
    assert.equal(health.status, 503)
    assert.equal((await health.json() as { state: string }).state, 'removed')
  })

  it('shows members connected or not, with when each was last seen', async () => {
    const node = new FakeFederationNode({ peerId: await randomPeerId(), roles: ['coordinator'] })
    const [a, b] = [await randomPeerId(), await randomPeerId()]
    await node.addMember(a, ['client'], 'org-a')
    await node.addMember(b, ['aggregator'], 'org-b')
    const connections = new FakeConnections()
    connections.peers = [a]
    let clock = 1_000_000
    const url = await serve(node, connections, () => clock)
    const members = async (): Promise<StatusPageView['members']> => (await (await fetch(`${url}/status.json`)).json() as StatusPageView).members
    let seen = await members()
    assert.deepEqual(seen.find(m => m.peerId === a), { peerId: a, name: 'org-a', roles: ['client'], self: false, connected: true, lastSeenMs: 1_000_000 })
    assert.deepEqual(seen.find(m => m.peerId === b), { peerId: b, name: 'org-b', roles: ['aggregator'], self: false, connected: false })
    clock = 1_005_000
    connections.disconnect(a)
    clock = 1_060_000
    seen = await members()
    assert.deepEqual(seen.find(m => m.peerId === a), { peerId: a, name: 'org-a', roles: ['client'], self: false, connected: false, lastSeenMs: 1_005_000 })
  })
})
