// What a harness needs of a node's control API, and a proxy that reaches a control API in another network namespace.
import type { ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { ControlClient } from '../../node/control/client.ts'
import { ControlApiError } from '../../node/control/errors.ts'

/** The control API calls the harnesses make; ControlClient has them all. */
export type NodeControl = Pick<ControlClient, 'status' | 'addMember' | 'openRound' | 'round' | 'result' | 'submit' | 'metrics'>

export type NodeControlMethod = keyof NodeControl

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

/** Runs one relayed request against `client`; never throws, errors become the answer's `error`. */
export async function serveRelayRequest (client: ControlClient, request: RelayRequest): Promise<RelayResponse> {
  try {
    const method = client[request.method] as (...args: unknown[]) => Promise<unknown>
    return { id: request.id, value: await method.apply(client, request.args) }
  } catch (err) {
    const error = err as Error & { status?: number }
    return { id: request.id, error: { name: error.name, message: error.message, status: error.status ?? 0 } }
  }
}
