// The two ends of a fedagg stream exchange: a guarded inbound handler and an outbound request, both under one deadline.
import { setMaxListeners } from 'node:events'
import { FedaggError } from '../../protocol/errors.ts'
import { FramedStream } from './framed-stream.ts'
import type { Connection, Logger, Stream, StreamHandler } from '@libp2p/interface'
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal'
import { PROTOCOLS } from '../../protocol/messages/index.ts'
import type { ProtocolName } from '../../protocol/messages/index.ts'
import type { StreamLimits } from './limits.ts'
import type { PeerId } from '@libp2p/interface'

export interface InboundExchange {
  framed: FramedStream
  /** Noise-authenticated remote peer ID. */
  remotePeer: string
  connection: Connection
  signal: AbortSignal
}

export interface HandlerOptions {
  log: Logger
  /** Whole-exchange deadline: a stream that never finishes is reset at this point. */
  timeoutMs: number
  /** Frame bound of every read that does not pass its own (and never above the codec's ceiling). */
  maxDataLength: number
  /** Deadline of each single read. */
  readTimeoutMs: number
  /** Called with every failure, e.g. for metrics; the stream is reset regardless. */
  onError?: (err: Error, remotePeer: string) => void
}

/** The peer kept its side of a finished exchange open past the read deadline. */
export class StreamLeftOpenError extends FedaggError {
  static override name = 'StreamLeftOpenError'
}

/**
 * Wraps a handler so that it always ends: a successful exchange closes the
 * stream (and resets it if the peer does not close its side in time), any
 * error (bad input, role refusal, timeout) resets it. Handler errors never
 * escape into libp2p, so one peer's bad stream cannot take the node down.
 */
function guardedHandler (options: HandlerOptions, handle: (exchange: InboundExchange) => Promise<void>): StreamHandler {
  return async (stream: Stream, connection: Connection) => {
    const signal = deadline(options.timeoutMs)
    const remotePeer = connection.remotePeer.toString()
    const framed = new FramedStream(stream, options.maxDataLength, options.readTimeoutMs)
    try {
      await handle({ framed, remotePeer, connection, signal })
      await stream.close({ signal })
    } catch (err) {
      options.log('%s on %s from %s - %s', (err as Error).name, stream.protocol, remotePeer, (err as Error).message)
      options.onError?.(err as Error, remotePeer)
      stream.abort(err as Error)
      return
    }
    await awaitPeerClose(stream, options.readTimeoutMs)
  }
}

/**
 * Our side is done: drop whatever more the peer sends, and give it one read
 * deadline to close its side too, else reset. A peer that left the stream
 * half-open would otherwise keep it counted against the per-connection stream
 * limit, and keep a read buffer (up to 4 MiB) of its data in our memory, for
 * as long as the connection lives.
 */
async function awaitPeerClose (stream: Stream, graceMs: number): Promise<void> {
  await stream.closeRead()
  if (stream.status !== 'open') return
  await new Promise<void>(resolve => {
    const timer = setTimeout(() => {
      stream.abort(new StreamLeftOpenError(`expected the peer to close its side within ${graceMs} ms of our answer, got a stream still open`))
    }, graceMs)
    // Also dispatched by our own abort above.
    stream.addEventListener('close', () => {
      clearTimeout(timer)
      resolve()
    }, { once: true })
  })
}

export interface OutboundOptions {
  signal: AbortSignal
  /** Frame bound of every read that does not pass its own (and never above the codec's ceiling). */
  maxDataLength: number
  maxOutboundStreams: number
  readTimeoutMs: number
}

/** Opens `protocol` to `peer`, runs `exchange` on it, and closes or resets the stream. */
async function withOutboundStream<T> (connectionManager: ConnectionManager, peer: PeerId, protocol: string,
  options: OutboundOptions, exchange: (framed: FramedStream) => Promise<T>): Promise<T> {
  const stream = await connectionManager.openStream(peer, protocol, {
    signal: options.signal,
    maxOutboundStreams: options.maxOutboundStreams
  }).catch((cause: unknown) => { throw asError(cause, protocol) })
  const framed = new FramedStream(stream, options.maxDataLength, options.readTimeoutMs)
  try {
    const result = await exchange(framed)
    await stream.close({ signal: options.signal })
    return result
  } catch (cause) {
    const err = asError(cause, protocol)
    stream.abort(err)
    throw err
  }
}

/**
 * A stream that closes while a write waits for 'drain' rejects with the close
 * *event*, not an Error (@libp2p/utils' byteStream waits with pEvent), and a
 * non-Error would stop retry loops (p-retry refuses it) and lose the cause.
 */
function asError (cause: unknown, protocol: string): Error {
  return cause instanceof Error ? cause : new StreamClosedError(`${protocol}: the stream closed during the exchange`, { cause })
}

/** An AbortSignal that fires after `ms`; many listeners attach to it over one exchange. */
export function deadline (ms: number): AbortSignal {
  const signal = AbortSignal.timeout(ms)
  setMaxListeners(Infinity, signal)
  return signal
}

/** The stream or its connection closed before the exchange completed. */
export class StreamClosedError extends FedaggError {
  static override name = 'StreamClosedError'
}

export interface EndpointComponents {
  registrar: Registrar
  connectionManager: ConnectionManager
}

/**
 * One service's side of the fedagg protocols: registers handlers and opens
 * requests with the per-protocol stream caps and read deadline from config,
 * so no service can forget a limit.
 */
export class ProtocolEndpoint {
  readonly #components: EndpointComponents
  readonly #limits: StreamLimits
  readonly #log: Logger

  constructor (components: EndpointComponents, limits: StreamLimits, log: Logger) {
    this.#components = components
    this.#limits = limits
    this.#log = log
  }

  async handle (name: ProtocolName, options: { timeoutMs: number, maxDataLength: number, onError?: HandlerOptions['onError'] },
    handler: (exchange: InboundExchange) => Promise<void>): Promise<void> {
    await this.#components.registrar.handle(PROTOCOLS[name], guardedHandler({
      log: this.#log,
      readTimeoutMs: this.#limits.readTimeoutMs,
      ...options
    }, handler), this.#limits.protocols[name])
  }

  async unhandle (name: ProtocolName): Promise<void> {
    await this.#components.registrar.unhandle(PROTOCOLS[name])
  }

  async request<T> (peer: PeerId, name: ProtocolName, options: { signal: AbortSignal, maxDataLength: number },
    exchange: (framed: FramedStream) => Promise<T>): Promise<T> {
    return withOutboundStream(this.#components.connectionManager, peer, PROTOCOLS[name], {
      ...options,
      maxOutboundStreams: this.#limits.protocols[name].maxOutboundStreams,
      readTimeoutMs: this.#limits.readTimeoutMs
    }, exchange)
  }
}
