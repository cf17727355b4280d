// The control API's routes: each maps one HTTP method and path onto a FederationNode call.
import type { FederationNode, ModelView, TrainingApi } from '../api.ts'
import { parametersFromBytes, parametersToBytes } from '../../protocol/training/index.ts'
import { ModelPendingError, SessionNotFoundError } from '../training/errors.ts'
import type { FedaggMetrics } from '../metrics/metrics.ts'
import { UnknownRoundError } from '../../protocol/round/index.ts'
import { NoRosterError } from '../membership/membership.ts'
import { ResultPendingError, TrainingUnavailableError } from './errors.ts'
import {
  AddMemberBodySchema, AfterRoundSchema, OpenRoundBodySchema, PeerIdSchema, StartSessionBodySchema, SubmitBodySchema,
  SubmitUpdateBodySchema, WaitSecondsSchema, parseRequest
} from './schemas.ts'

export type HttpMethod = 'GET' | 'POST' | 'DELETE'

export interface RouteContext {
  /** Decoded `:name` path segments. */
  params: Record<string, string>
  query: URLSearchParams
  /** Parsed JSON body, for routes that take one. */
  body: unknown
  /** Aborts when the caller disconnects or the server closes. */
  signal: AbortSignal
}

export type RouteResponse =
  | { json: unknown }
  | { text: string, contentType: string }

export interface Route {
  method: HttpMethod
  /** Path segments; `:name` captures one segment into params.name. */
  path: string[]
  /** False only for GET /metrics (see ControlServerInit.metrics). */
  authenticated: boolean
  takesBody: boolean
  handle (context: RouteContext): Promise<RouteResponse>
}

export interface RoutesInit {
  node: FederationNode
  metrics?: FedaggMetrics
  /** Longest long-poll on GET /rounds/:id/result. */
  maxWaitSeconds: number
}

export function controlRoutes ({ node, metrics, maxWaitSeconds }: RoutesInit): Route[] {
  const routes: Route[] = [
    get('status', async () => json(await node.status())),
    get('roster', async () => {
      const roster = node.roster()
      if (roster === undefined) throw new NoRosterError('this node has no roster yet: it has not joined a federation')
      return json(roster)
    }),
    post('members', async ({ body }) => {
      const request = parseRequest(AddMemberBodySchema, body, 'body')
      return json(await node.addMember(request.peerId, request.roles, request.name))
    }),
    route('DELETE', 'members/:peerId', false, async ({ params }) => {
      const peerId = parseRequest(PeerIdSchema, params.peerId, 'peerId')
      return json(await node.removeMember(peerId))
    }),
    post('rounds', async ({ body }) => json(await node.openRound(parseRequest(OpenRoundBodySchema, body, 'body')))),
    get('rounds', async () => json(await node.rounds())),
    get('rounds/:id', async ({ params }) => json(await roundOrThrow(node, requiredParam(params, 'id')))),
    get('rounds/:id/result', async ({ params, query, signal }) => {
      const roundId = requiredParam(params, 'id')
      const wait = query.has('wait') ? parseRequest(WaitSecondsSchema, query.get('wait'), 'wait') : 0
      return json(await resultOrWait(node, roundId, Math.min(wait, maxWaitSeconds), signal))
    }),
    post('submit', async ({ body, signal }) => {
      const request = parseRequest(SubmitBodySchema, body, 'body')
      return json(await node.submit(request.values, { roundId: request.roundId, weight: request.weight, signal }))
    }),
    ...trainingRoutes(node, maxWaitSeconds)
  ]
  if (metrics !== undefined) {
    routes.push({
      method: 'GET',
      path: ['metrics'],
      authenticated: false,
      takesBody: false,
      handle: async () => ({ text: await metrics.render(), contentType: metrics.contentType })
    })
  }
  return routes
}

/** Training sessions: parameters and updates travel as base64 of float64 little-endian values. */
function trainingRoutes (node: FederationNode, maxWaitSeconds: number): Route[] {
  const training = (): TrainingApi => {
    if (node.training === undefined) throw new TrainingUnavailableError('this node has no training sessions')
    return node.training
  }
  return [
    post('sessions', async ({ body }) => {
      const { initialModelBase64, ...request } = parseRequest(StartSessionBodySchema, body, 'body')
      const initialModel = initialModelBase64 === undefined ? undefined : parametersFromBytes(Buffer.from(initialModelBase64, 'base64'))
      return json(await training().startSession({ ...request, ...(initialModel === undefined ? {} : { initialModel }) }))
    }),
    get('sessions', async () => json(await training().sessions())),
    get('sessions/:id', async ({ params }) => {
      const sessionId = requiredParam(params, 'id')
      const session = await training().session(sessionId)
      if (session === undefined) throw new SessionNotFoundError(`no session ${sessionId} on this node`)
      return json(session)
    }),
    get('sessions/:id/model', async ({ params, query, signal }) => {
      const id = requiredParam(params, 'id')
      // 'latest' names the newest session this node knows.
      const sessionId = id === 'latest' ? undefined : id
      if (!query.has('after')) return json(modelJson(await training().currentModel(sessionId)))
      const after = parseRequest(AfterRoundSchema, query.get('after'), 'after')
      const wait = query.has('wait') ? parseRequest(WaitSecondsSchema, query.get('wait'), 'wait') : 0
      const timeout = AbortSignal.timeout(Math.ceil(Math.min(wait, maxWaitSeconds) * 1000))
      try {
        return json(modelJson(await training().waitForModel(sessionId, after, { signal: AbortSignal.any([signal, timeout]) })))
      } catch (err) {
        if (signal.aborted || !(err instanceof ModelPendingError)) throw err
        throw new ModelPendingError(`no model after round ${after} within ${wait} s`)
      }
    }),
    post('sessions/:id/updates', async ({ params, body, signal }) => {
      const request = parseRequest(SubmitUpdateBodySchema, body, 'body')
      const update = parametersFromBytes(Buffer.from(request.updateBase64, 'base64'))
      return json(await training().submitUpdate(requiredParam(params, 'id'), request.round, update, request.weight, { signal }))
    })
  ]
}

function modelJson (model: ModelView): unknown {
  const { parameters, ...rest } = model
  return { ...rest, parametersBase64: Buffer.from(parametersToBytes(parameters)).toString('base64') }
}

async function roundOrThrow (node: FederationNode, roundId: string) {
  const round = await node.round(roundId)
  if (round === undefined) throw new UnknownRoundError(`no round ${roundId} on this node`)
  return round
}

/**
 * The round's result now, or after waiting up to `waitSeconds` for it. A wait
 * that runs out is a ResultPendingError naming the round's status, not a
 * timeout of the HTTP request, so the CLI can tell "not yet" from "broken".
 */
async function resultOrWait (node: FederationNode, roundId: string, waitSeconds: number, signal: AbortSignal) {
  const round = await roundOrThrow(node, roundId)
  const existing = await node.result(roundId)
  if (existing !== undefined) return existing
  if (waitSeconds === 0) throw new ResultPendingError(`round ${roundId} has no result yet (status ${round.status})`)
  const timeout = AbortSignal.timeout(Math.ceil(waitSeconds * 1000))
  try {
    return await node.waitForResult(roundId, { signal: AbortSignal.any([signal, timeout]) })
  } catch (err) {
    if (!timeout.aborted || signal.aborted) throw err
    const status = (await node.round(roundId))?.status ?? round.status
    throw new ResultPendingError(`round ${roundId} has no result after ${waitSeconds} s (status ${status})`)
  }
}

function requiredParam (params: Record<string, string>, name: string): string {
  const value = params[name]
  // The router only calls a handler when every `:name` segment matched.
  if (value === undefined) throw new Error(`route parameter ${name} missing`)
  return value
}

function json (value: unknown): RouteResponse {
  return { json: value }
}

function get (path: string, handle: Route['handle']): Route {
  return route('GET', path, false, handle)
}

function post (path: string, handle: Route['handle']): Route {
  return route('POST', path, true, handle)
}

function route (method: HttpMethod, path: string, takesBody: boolean, handle: Route['handle']): Route {
  return { method, path: path.split('/'), authenticated: true, takesBody, handle }
}
