// What a harness needs of a node's control API, and a proxy that reaches a control API in another network namespace.
import type { ChildProcess } from 'node:child_process'
import { request } from 'node:http'
import { createInterface } from 'node:readline'
import type { ReceiptView } from '../../node/api.ts'
import { ControlClient } from '../../node/control/client.ts'
import type { SubmitOptions } from '../../node/control/client.ts'
import { readControlFile } from '../../node/control/control-file.ts'
import { ControlApiError } from '../../node/control/errors.ts'

/** The control API calls the harnesses make; ControlClient has them all. */
export type NodeControl = Pick<ControlClient, 'status' | 'addMember' | 'openRound' | 'round' | 'result' | 'submit' | 'metrics'>

export type NodeControlMethod = keyof NodeControl

/**
 * A submit of a model-sized vector on a loaded machine can take longer than the 300 s fetch()
 * waits for response headers (undici's headersTimeout, not configurable without undici itself).
 */
const SUBMIT_TIMEOUT_MS = 30 * 60_000

/**
 * The control API of the daemon on `dataDir`, as the harnesses use it: ControlClient for every
 * call but submit, which goes through node:http under SUBMIT_TIMEOUT_MS instead of fetch().
 */
export async function harnessControl (dataDir: string): Promise<NodeControl> {
  const endpoint = await readControlFile(dataDir)
  const client = new ControlClient(endpoint)
  return {
    status: async () => client.status(),
    addMember: async (...args) => client.addMember(...args),
    openRound: async (...args) => client.openRound(...args),
    round: async (...args) => client.round(...args),
    result: async (...args) => client.result(...args),
    metrics: async () => client.metrics(),
    submit: async (values, options = {}) => longSubmit(endpoint.url, endpoint.token, values, options)
  }
}

async function longSubmit (url: string, token: string, values: readonly number[], options: SubmitOptions): Promise<ReceiptView> {
  const body = JSON.stringify({ values, roundId: options.roundId, weight: options.weight })
  return new Promise<ReceiptView>((resolve, reject) => {
    const req = request(`${url.replace(/\/+$/, '')}/submit`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      signal: AbortSignal.timeout(SUBMIT_TIMEOUT_MS)
    }, response => {
      let text = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => { text += chunk })
      response.on('error', reject)
      response.on('end', () => {
        const status = response.statusCode ?? 0
        if (status >= 200 && status < 300) {
          resolve(JSON.parse(text) as ReceiptView)
          return
        }
        const { error } = (() => { try { return JSON.parse(text) as { error?: { name?: string, message?: string } } } catch { return {} } })()
        reject(new ControlApiError(error?.name ?? 'ControlApiError', error?.message ?? `HTTP ${status}: ${text.slice(0, 200)}`, status))
      })
    })
    req.on('error', reject)
    req.end(body)
  })
}

/** One request line to control-relay.ts on its stdin. */
export interface RelayRequest {
  id: number
  method: NodeControlMethod
  args: unknown[]
}

/** One answer line from control-relay.ts on its stdout. */
export interface RelayResponse {
  id: number
  value?: unknown
  error?: { name: string, message: string, status: number }
}

/**
 * A NodeControl whose calls run in a relay process (control-relay.ts) started inside the node's
 * network namespace: the control API listens on that namespace's own loopback, which no other
 * namespace can reach, so requests and answers travel as JSON lines over the relay's stdio.
 * Errors come back as the ControlApiError the call would have thrown there. Abort signals do not
 * cross the pipe: every call still ends by the client's own timeouts.
 */
export class RelayControl implements NodeControl {
  readonly #relay: ChildProcess
  readonly #pending = new Map<number, { resolve: (value: unknown) => void, reject: (err: Error) => void }>()
  #nextId = 1

  constructor (relay: ChildProcess) {
    if (relay.stdin === null || relay.stdout === null) throw new TypeError('relay: expected piped stdin and stdout')
    this.#relay = relay
    relay.stdin.on('error', () => {})
    createInterface({ input: relay.stdout }).on('line', line => { this.#answer(line) })
    relay.once('exit', code => {
      for (const { reject } of this.#pending.values()) reject(new ControlApiError('RelayExitedError', `control relay exited with ${code}`, 0))
      this.#pending.clear()
    })
  }

  async status (): ReturnType<NodeControl['status']> { return this.#call('status', []) }
  async addMember (...args: Parameters<NodeControl['addMember']>): ReturnType<NodeControl['addMember']> { return this.#call('addMember', args) }
  async openRound (...args: Parameters<NodeControl['openRound']>): ReturnType<NodeControl['openRound']> { return this.#call('openRound', args) }
  async round (...args: Parameters<NodeControl['round']>): ReturnType<NodeControl['round']> { return this.#call('round', args) }
  async submit (...args: Parameters<NodeControl['submit']>): ReturnType<NodeControl['submit']> { return this.#call('submit', args) }
  async metrics (): ReturnType<NodeControl['metrics']> { return this.#call('metrics', []) }
  async result (roundId: string, options: { waitSeconds?: number } = {}): ReturnType<NodeControl['result']> {
    return this.#call('result', [roundId, { waitSeconds: options.waitSeconds }])
  }

  async #call<T> (method: NodeControlMethod, args: unknown[]): Promise<T> {
    const id = this.#nextId++
    const request: RelayRequest = { id, method, args }
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject })
      this.#relay.stdin!.write(JSON.stringify(request) + '\n')
    })
  }

  #answer (line: string): void {
    let response: RelayResponse
    try {
      response = JSON.parse(line) as RelayResponse
    } catch {
      return
    }
    const pending = this.#pending.get(response.id)
    if (pending === undefined) return
    this.#pending.delete(response.id)
    if (response.error === undefined) pending.resolve(response.value)
    else pending.reject(new ControlApiError(response.error.name, response.error.message, response.error.status))
  }
}

/** Runs one relayed request against `control`; never throws, errors become the answer's `error`. */
export async function serveRelayRequest (control: NodeControl, relayed: RelayRequest): Promise<RelayResponse> {
  try {
    const method = control[relayed.method] as (...args: unknown[]) => Promise<unknown>
    return { id: relayed.id, value: await method(...relayed.args) }
  } catch (err) {
    const error = err as Error & { status?: number }
    return { id: relayed.id, error: { name: error.name, message: error.message, status: error.status ?? 0 } }
  }
}
