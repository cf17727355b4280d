// docs/openapi.json documents exactly the routes the control API serves: every route, every method, no extras.
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { controlRoutes } from '../../../node/control/routes.ts'
import { createFedaggMetrics } from '../../../node/metrics/metrics.ts'
import { FakeFederationNode, randomPeerId } from './fake-federation-node.ts'

interface OpenApiDocument {
  openapi: string
  paths: Record<string, Record<string, { responses?: Record<string, unknown> }>>
}

const OPENAPI = new URL('../../../docs/openapi.json', import.meta.url)
const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete'])

describe('docs/openapi.json', () => {
  it('documents every served route and method, and nothing the server does not serve', async () => {
    const document = JSON.parse(await readFile(OPENAPI, 'utf8')) as OpenApiDocument
    assert.match(document.openapi, /^3\./)
    // Every optional route on: /metrics is served only with a metrics registry.
    const node = new FakeFederationNode({ peerId: await randomPeerId(), roles: ['coordinator'] })
    const routes = controlRoutes({ node, metrics: createFedaggMetrics(), maxWaitSeconds: 1 })
    // ':id' segments are OpenAPI's '{id}'.
    const served = new Set(routes.map(route => `${route.method.toLowerCase()} /${route.path.map(part => part.startsWith(':') ? `{${part.slice(1)}}` : part).join('/')}`))
    const documented = new Set(Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations).filter(method => METHODS.has(method)).map(method => `${method} ${path}`)))
    assert.deepEqual([...served].filter(route => !documented.has(route)), [], 'served but not documented')
    assert.deepEqual([...documented].filter(route => !served.has(route)), [], 'documented but not served')
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        assert.ok(operation.responses?.['200'] !== undefined, `${method} ${path} documents its 200 answer`)
      }
    }
  })
})
