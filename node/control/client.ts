// Typed client of a running daemon's control API, used by the CLI and the local launcher.
import type {
  ModelView, NodeStatus, OpenRoundRequest, ReceiptView, Role, RosterView, RoundResultView, RoundView, SessionView, StartSessionRequest, TrainingApi
} from '../api.ts'
import { parametersFromBytes, parametersToBytes } from '../../protocol/training/index.ts'
import { DEFAULT_MAX_WAIT_SECONDS, DEFAULT_REQUEST_TIMEOUT_MS, LONG_POLL_SLACK_MS } from './constants.ts'
import { readControlFile } from './control-file.ts'
import type { ControlEndpoint } from './control-file.ts'
import { errorClassNamed } from './error-status.ts'
import { ControlApiError, DaemonConnectionLostError, DaemonNotRunningError, ResultPendingError } from './errors.ts'
import { ModelPendingError } from '../training/errors.ts'

export interface ControlClientInit extends ControlEndpoint {
  /** @default DEFAULT_REQUEST_TIMEOUT_MS */
  requestTimeoutMs?: number
}

export interface SubmitOptions {
  roundId?: string
  weight?: number
}

export class ControlClient {
  readonly url: string
  private readonly token: string
  private readonly requestTimeoutMs: number

  constructor (init: ControlClientInit) {
    this.url = init.url.replace(/\/+$/, '')
    this.token = init.token
    this.requestTimeoutMs = init.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS
  }

  /** A client for the daemon running on `dataDir`, found through its control.json. */
  static async fromDataDir (dataDir: string, init: { requestTimeoutMs?: number } = {}): Promise<ControlClient> {
    return new ControlClient({ ...await readControlFile(dataDir), ...init })
  }

  async status (): Promise<NodeStatus> {
    return this.request('GET', '/status')
  }

  async roster (): Promise<RosterView> {
    return this.request('GET', '/roster')
  }

  async addMember (peerId: string, roles: Role[], name?: string): Promise<RosterView> {
    return this.request('POST', '/members', { peerId, roles, name })
  }

  async removeMember (peerId: string): Promise<RosterView> {
    return this.request('DELETE', `/members/${encodeURIComponent(peerId)}`)
  }

  async openRound (request: OpenRoundRequest): Promise<RoundView> {
    return this.request('POST', '/rounds', request)
  }

  async cancelRound (roundId: string, reason: string): Promise<RoundView> {
    return this.request('POST', `/rounds/${encodeURIComponent(roundId)}/cancel`, { reason })
  }

  async rounds (): Promise<RoundView[]> {
    return this.request('GET', '/rounds')
  }

  async round (roundId: string): Promise<RoundView> {
    return this.request('GET', `/rounds/${encodeURIComponent(roundId)}`)
  }

  /**
   * The round's result, waiting up to `waitSeconds` for it. Waits longer than
   * the server's long-poll cap are split into several long-polls.
   * Throws ResultPendingError when none is there in time.
   */
  async result (roundId: string, options: { waitSeconds?: number, signal?: AbortSignal } = {}): Promise<RoundResultView> {
    const path = `/rounds/${encodeURIComponent(roundId)}/result`
    const waitSeconds = options.waitSeconds ?? 0
    const deadline = Date.now() + waitSeconds * 1000
    for (;;) {
      const remaining = Math.max(0, (deadline - Date.now()) / 1000)
      const wait = Math.min(remaining, DEFAULT_MAX_WAIT_SECONDS)
      try {
        return await this.request<RoundResultView>('GET', `${path}?wait=${wait}`, undefined, {
          timeoutMs: wait * 1000 + LONG_POLL_SLACK_MS,
          signal: options.signal
        })
      } catch (err) {
        if (!(err instanceof ControlApiError && err.is(ResultPendingError)) || Date.now() >= deadline) throw err
      }
    }
  }

  async submit (values: readonly number[], options: SubmitOptions = {}): Promise<ReceiptView> {
    return this.request('POST', '/submit', { values, roundId: options.roundId, weight: options.weight })
  }

  /** The daemon's training sessions, as the TrainingApi a trainer loop (runTrainer) drives. */
  get training (): TrainingApi {
    return {
      startSession: async ({ initialModel, ...request }: StartSessionRequest) => this.request<SessionView>('POST', '/sessions', {
        ...request,
        ...(initialModel === undefined ? {} : { initialModelBase64: Buffer.from(parametersToBytes(initialModel)).toString('base64') })
      }),
      sessions: async () => this.request<SessionView[]>('GET', '/sessions'),
      session: async sessionId => this.request<SessionView>('GET', `/sessions/${encodeURIComponent(sessionId)}`),
      currentModel: async sessionId => modelView(await this.request<ModelJson>('GET', `/sessions/${encodeURIComponent(sessionId ?? 'latest')}/model`)),
      waitForModel: async (sessionId, afterRound, options = {}) => {
        const path = `/sessions/${encodeURIComponent(sessionId ?? 'latest')}/model?after=${afterRound}&wait=${DEFAULT_MAX_WAIT_SECONDS}`
        for (;;) {
          try {
            return modelView(await this.request<ModelJson>('GET', path, undefined, { timeoutMs: DEFAULT_MAX_WAIT_SECONDS * 1000 + LONG_POLL_SLACK_MS, signal: options.signal }))
          } catch (err) {
            if (!(err instanceof ControlApiError && err.name === ModelPendingError.name)) throw err
          }
        }
      },
      submitUpdate: async (sessionId, round, update, weight, options = {}) => this.request<ReceiptView>('POST', `/sessions/${encodeURIComponent(sessionId)}/updates`,
        { round, updateBase64: Buffer.from(parametersToBytes(update)).toString('base64'), weight }, { signal: options.signal })
    }
  }

  /** Prometheus text from GET /metrics. */
  async metrics (): Promise<string> {
    const response = await this.fetch('GET', '/metrics', undefined, {})
    if (!response.ok) throw await responseError(response)
    return response.text()
  }

  private async request<T> (method: string, path: string, body?: unknown, options: { timeoutMs?: number, signal?: AbortSignal } = {}): Promise<T> {
    const response = await this.fetch(method, path, body, options)
    if (!response.ok) throw await responseError(response)
    return await response.json() as T
  }

  /**
   * A GET whose connection closed before any answer is sent once more: fetch()
   * reuses idle keep-alive connections, and one the daemon closes (after its
   * 5 s keep-alive timeout) just as a request goes out fails with "other side
   * closed", more often on a loaded machine. A GET changes nothing, so a
   * second try is safe; other methods are never resent here.
   */
  private async fetch (method: string, path: string, body: unknown, options: { timeoutMs?: number, signal?: AbortSignal }): Promise<Response> {
    const timeout = AbortSignal.timeout(options.timeoutMs ?? this.requestTimeoutMs)
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}` }
    if (body !== undefined) headers['content-type'] = 'application/json'
    for (let attempt = 1; ; attempt++) {
      try {
        return await fetch(this.url + path, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: options.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout])
        })
      } catch (err) {
        if (isConnectionRefused(err)) {
          throw new DaemonNotRunningError(`nothing answers at ${this.url}: the daemon has stopped (stale control.json?)`)
        }
        if (method === 'GET' && attempt < 2 && isClosedConnection(err)) continue
        // The caller's own abort is theirs to report.
        if (options.signal?.aborted === true) throw err
        if (timeout.aborted) {
          throw new DaemonConnectionLostError(`${method} ${path}: the daemon at ${this.url} did not answer within ${options.timeoutMs ?? this.requestTimeoutMs} ms`, { cause: err })
        }
        // fetch() reports a connection reset or a daemon that died mid-request as TypeError('fetch failed').
        const cause = (err as { cause?: { code?: unknown, message?: unknown } }).cause
        const detail = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : (err as Error).message
        throw new DaemonConnectionLostError(`${method} ${path}: lost the connection to the daemon at ${this.url} (${detail}); it may have stopped: check its log`, { cause: err })
      }
    }
  }
}

type ModelJson = Omit<ModelView, 'parameters'> & { parametersBase64: string }

function modelView ({ parametersBase64, ...rest }: ModelJson): ModelView {
  return { ...rest, parameters: parametersFromBytes(Buffer.from(parametersBase64, 'base64')) }
}

/** Rebuilds the daemon's typed error from `{ error: { name, message } }`, its class looked up in the control API's error table. */
async function responseError (response: Response): Promise<ControlApiError> {
  const text = await response.text()
  try {
    const { error } = JSON.parse(text) as { error?: { name?: unknown, message?: unknown } }
    if (typeof error?.name === 'string' && typeof error.message === 'string') {
      return new ControlApiError(error.name, error.message, response.status, errorClassNamed(error.name))
    }
  } catch {}
  return new ControlApiError('ControlApiError', `HTTP ${response.status}: ${text.slice(0, 200)}`, response.status)
}

/** The connection closed under the request (undici's SocketError, "other side closed", or a reset). */
function isClosedConnection (err: unknown): boolean {
  const code = (err as { cause?: { code?: unknown } } | undefined)?.cause?.code
  return err instanceof TypeError && (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET')
}

/** fetch() wraps socket errors: TypeError('fetch failed') with the ECONNREFUSED error as its cause. */
function isConnectionRefused (err: unknown): boolean {
  const cause = (err as { cause?: { code?: unknown } } | undefined)?.cause
  return cause?.code === 'ECONNREFUSED'
}
