// The control API's HTTP server: loopback only, bearer-token auth, bounded JSON bodies, typed JSON errors.
import { createHash, timingSafeEqual } from 'node:crypto'
import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { FederationNode } from '../api.ts'
import type { FedaggMetrics } from '../metrics/metrics.ts'
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_WAIT_SECONDS } from './constants.ts'
import { statusForError } from './error-status.ts'
import {
  ForbiddenHostError, InvalidRequestError, MethodNotAllowedError, NonLoopbackHostError,
  RequestBodyTooLargeError, RouteNotFoundError, UnauthorizedError
} from './errors.ts'
import { isLoopbackHost } from '../../config/loopback.ts'
import { hostOfHostHeader } from './loopback.ts'
import { controlRoutes } from './routes.ts'
import { statusPageRoutes } from './status-page.ts'
import type { StatusView } from './status-view.ts'
import type { Route, RouteResponse } from './routes.ts'

/** What the server logs through; a pino logger fits. */
export interface ControlLogger {
  debug (object: object, message: string): void
  error (object: object, message: string): void
}

export interface ControlServerInit {
  node: FederationNode
  /** Bearer token required on every route except GET /metrics. */
  token: string
  /**
   * Served on GET /metrics without a token: the server only listens on
   * loopback, the metrics hold counts and never values or keys, and a
   * per-start token would force Prometheus' scrape config to change on every
   * daemon restart. Omitted: /metrics is a 404.
   */
  metrics?: FedaggMetrics
  /**
   * Serves the status page (GET /, /status-page.js, /status.json) and GET /healthz without a token;
   * status-page.ts says why. Omitted: those paths are 404s.
   */
  statusView?: StatusView
  /** Must be loopback. @default '127.0.0.1' */
  host?: string
  /** @default 0 (any free port; control.json tells clients which) */
  port?: number
  /** @default DEFAULT_MAX_BODY_BYTES */
  maxBodyBytes?: number
  /** @default DEFAULT_MAX_WAIT_SECONDS */
  maxWaitSeconds?: number
  logger?: ControlLogger
}

export interface ControlServer {
  /** e.g. http://127.0.0.1:40123 */
  readonly url: string
  /** Stops listening, aborts long-polls and closes every connection. */
  close (): Promise<void>
}

interface MatchedRoute {
  route: Route
  params: Record<string, string>
}

interface UnmatchedRoute {
  error: Error
  /** The Allow header value when the path exists under other methods. */
  allow?: string
}

export async function startControlServer (init: ControlServerInit): Promise<ControlServer> {
  const host = init.host ?? '127.0.0.1'
  if (!isLoopbackHost(host)) {
    throw new NonLoopbackHostError(`control API: expected a loopback host (127.0.0.1, ::1 or localhost), got ${host}`)
  }
  const maxBodyBytes = init.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
  const routes = [
    ...controlRoutes({ node: init.node, metrics: init.metrics, maxWaitSeconds: init.maxWaitSeconds ?? DEFAULT_MAX_WAIT_SECONDS }),
    ...(init.statusView === undefined ? [] : await statusPageRoutes(init.statusView))
  ]
  const tokenDigest = sha256(init.token)
  const closing = new AbortController()

  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const gone = new AbortController()
    res.once('close', () => { if (!res.writableFinished) gone.abort() })
    try {
      checkHostHeader(req)
      const url = new URL(req.url ?? '/', 'http://control.invalid')
      const match = matchRoute(routes, req.method ?? 'GET', url.pathname)
      // The token is checked before anything else is revealed, even whether a route exists.
      if (!('route' in match) || match.route.authenticated) checkBearerToken(req, tokenDigest)
      if (!('route' in match)) {
        if (match.allow !== undefined) res.setHeader('allow', match.allow)
        throw match.error
      }
      const { route, params } = match
      const body = route.takesBody ? await readJsonBody(req, maxBodyBytes) : undefined
      const response = await route.handle({ params, query: url.searchParams, body, signal: AbortSignal.any([closing.signal, gone.signal]) })
      sendResponse(res, response.status ?? 200, response)
    } catch (err) {
      const status = statusForError(err)
      const name = err instanceof Error ? err.name : 'Error'
      const message = err instanceof Error ? err.message : String(err)
      if (status >= 500) init.logger?.error({ err, method: req.method, path: req.url }, 'control API request failed')
      else init.logger?.debug({ name, status, method: req.method, path: req.url }, 'control API request refused')
      if (err instanceof RequestBodyTooLargeError) {
        // The rest of the body is not read, so this connection cannot carry another request.
        res.setHeader('connection', 'close')
        res.once('finish', () => { req.destroy() })
      }
      if (!res.headersSent && !res.destroyed) sendResponse(res, status, { json: { error: { name, message } } })
    }
  }

  const server = createServer((req, res) => { void serve(req, res) })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(init.port ?? 0, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address() as AddressInfo
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`

  return {
    url,
    close: async () => {
      closing.abort()
      const closed = new Promise<void>(resolve => { server.close(() => { resolve() }) })
      server.closeAllConnections()
      await closed
    }
  }
}

/** Refuses a Host header naming anything but loopback: a web page that rebinds DNS to 127.0.0.1 still sends its own name. */
function checkHostHeader (req: IncomingMessage): void {
  const header = req.headers.host
  if (header !== undefined && !isLoopbackHost(hostOfHostHeader(header))) {
    throw new ForbiddenHostError(`expected a loopback Host header, got ${header}`)
  }
}

function checkBearerToken (req: IncomingMessage, tokenDigest: Buffer): void {
  const match = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')
  // Compare digests in constant time: equal length, no early exit on the first differing byte.
  if (match?.[1] === undefined || !timingSafeEqual(sha256(match[1]), tokenDigest)) {
    throw new UnauthorizedError('expected header Authorization: Bearer <token from control.json>')
  }
}

function matchRoute (routes: Route[], method: string, pathname: string): MatchedRoute | UnmatchedRoute {
  let segments: string[]
  try {
    segments = pathname.split('/').filter(segment => segment !== '').map(segment => decodeURIComponent(segment))
  } catch {
    return { error: new InvalidRequestError(`expected a percent-encoded path, got ${pathname}`) }
  }
  const allowed: string[] = []
  for (const route of routes) {
    const params = matchPath(route.path, segments)
    if (params === undefined) continue
    if (route.method === method) return { route, params }
    allowed.push(route.method)
  }
  if (allowed.length > 0) {
    return { error: new MethodNotAllowedError(`${method} ${pathname}: expected ${allowed.join(' or ')}`), allow: allowed.join(', ') }
  }
  return { error: new RouteNotFoundError(`no control API route ${method} ${pathname}`) }
}

function matchPath (pattern: string[], segments: string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined
  const params: Record<string, string> = {}
  for (const [i, part] of pattern.entries()) {
    const segment = segments[i] as string
    if (part.startsWith(':')) params[part.slice(1)] = segment
    else if (part !== segment) return undefined
  }
  return params
}

async function readJsonBody (req: IncomingMessage, maxBodyBytes: number): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > maxBodyBytes) {
    throw new RequestBodyTooLargeError(`expected a body of at most ${maxBodyBytes} bytes, got Content-Length ${declared}`)
  }
  const chunks: Buffer[] = []
  let received = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    received += chunk.length
    if (received > maxBodyBytes) {
      throw new RequestBodyTooLargeError(`expected a body of at most ${maxBodyBytes} bytes, got more`)
    }
    chunks.push(chunk)
  }
  const text = Buffer.concat(chunks).toString('utf8')
  if (text.trim() === '') throw new InvalidRequestError('expected a JSON body, got an empty one')
  try {
    return JSON.parse(text)
  } catch (err) {
    throw new InvalidRequestError(`expected a JSON body: ${(err as Error).message}`)
  }
}

function sendResponse (res: ServerResponse, status: number, response: RouteResponse): void {
  const [body, contentType] = 'json' in response
    ? [JSON.stringify(response.json ?? null), 'application/json; charset=utf-8']
    : [response.text, response.contentType]
  res.writeHead(status, { ...response.headers, 'content-type': contentType, 'cache-control': 'no-store' })
  res.end(body)
}

function sha256 (text: string): Buffer {
  return createHash('sha256').update(text).digest()
}
