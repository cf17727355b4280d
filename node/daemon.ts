// The fedagg daemon: runs a node with its control API, announces readiness, shuts down gracefully on signals.
import type { Writable } from 'node:stream'
import { pino } from 'pino'
import type { Logger } from 'pino'
import type { FedaggConfig } from '../config/schema.ts'
import { FedaggError } from '../protocol/errors.ts'
import type { FederationNode } from './api.ts'
import type { FederationNodeOptions } from './federation-node.ts'
import { ControlClient } from './control/client.ts'
import { createControlToken, readControlFile, removeControlFile, writeControlFile } from './control/control-file.ts'
import { startControlServer } from './control/server.ts'
import type { ControlServer } from './control/server.ts'
import { readPaillierKeyFile } from './keys/paillier-key-file.ts'
import { createFedaggMetrics } from './metrics/metrics.ts'
import type { FedaggMetrics } from './metrics/metrics.ts'

/**
 * How long a graceful shutdown may take before the daemon exits anyway:
 * closing streams and libp2p takes well under a second; a stop still
 * running after this is stuck, and a supervisor waiting on it would hang.
 */
export const SHUTDOWN_TIMEOUT_MS = 30_000

/** How long the check for an already running daemon waits for an answer. */
const ALREADY_RUNNING_PROBE_MS = 2_000

export class DaemonAlreadyRunningError extends FedaggError {
  static override name = 'DaemonAlreadyRunningError'
}

/** createFederationNode's shape, injectable so the daemon can be tested around a fake node. */
export type CreateNode = (config: FedaggConfig, options: FederationNodeOptions) => Promise<FederationNode>

export interface DaemonOptions {
  /** @default a pino logger writing to stderr at config.logLevel */
  logger?: Logger
  /** Where the one-line ready event goes. @default process.stdout */
  stdout?: Writable
  /** @default createFederationNode from node/federation-node.ts */
  createNode?: CreateNode
}

/** The line printed on stdout once the node and its control API are up, for a parent process to wait on. */
export interface ReadyEvent {
  event: 'ready'
  peerId: string
  multiaddrs: string[]
  /** Control API base URL; its token is in <dataDir>/control.json, never printed. */
  control: string
}

export interface Daemon {
  readonly node: FederationNode
  readonly control: ControlServer
  readonly metrics: FedaggMetrics | undefined
  readonly logger: Logger
  /** Stops the control API, removes control.json and stops the node (which closes its store). Idempotent. */
  stop (): Promise<void>
}

/** Pino on stderr, synchronous so nothing is lost when the process exits right after a shutdown. */
export function createDaemonLogger (level: string): Logger {
  return pino({ name: 'fedagg', level }, pino.destination({ dest: 2, sync: true }))
}

/** Starts the node and its control API, writes control.json and prints the ready line. */
export async function startDaemon (config: FedaggConfig, options: DaemonOptions = {}): Promise<Daemon> {
  const logger = options.logger ?? createDaemonLogger(config.logLevel)
  await refuseSecondDaemon(config.dataDir)
  const paillierKey = config.roles.includes('coordinator') ? await readPaillierKeyFile(config.dataDir) : undefined
  // Process metrics (CPU, memory, event loop) only in the daemon: one process, one node.
  const metrics = config.metrics.enabled ? createFedaggMetrics({ defaultMetrics: true }) : undefined
  const createNode = options.createNode ?? await defaultCreateNode()
  const node = await createNode(config, {
    paillierKey,
    metrics,
    onAlarm: ({ roundId, alarm, message }) => { logger.warn({ roundId, alarm }, message) }
  })

  let control: ControlServer | undefined
  try {
    await node.start()
    const token = createControlToken()
    control = await startControlServer({ node, token, metrics, host: config.control.host, port: config.control.port, logger })
    await writeControlFile(config.dataDir, { url: control.url, token })
  } catch (err) {
    await control?.close()
    await node.stop().catch((stopErr: unknown) => { logger.error({ err: stopErr }, 'stopping the node after a failed start failed') })
    throw err
  }

  const multiaddrs = node.multiaddrs()
  logger.info({ peerId: node.peerId, multiaddrs, control: control.url, roles: config.roles }, 'fedagg node ready')
  const ready: ReadyEvent = { event: 'ready', peerId: node.peerId, multiaddrs, control: control.url }
  ;(options.stdout ?? process.stdout).write(JSON.stringify(ready) + '\n')

  let stopping: Promise<void> | undefined
  const started = control
  return {
    node,
    control: started,
    metrics,
    logger,
    stop: async () => {
      stopping ??= (async () => {
        await started.close()
        await removeControlFile(config.dataDir)
        await node.stop()
        logger.info('fedagg node stopped')
      })()
      return stopping
    }
  }
}

export interface RunDaemonOptions extends DaemonOptions {
  /**
   * Also shut down when stdin ends. The local launcher keeps a pipe to each
   * child's stdin: if the launcher dies, even by SIGKILL, the pipe closes and
   * the children stop instead of lingering.
   * @default false
   */
  stopOnStdinEnd?: boolean
}

/**
 * Runs the daemon in the foreground until SIGINT or SIGTERM (or stdin's end,
 * when asked), then shuts down gracefully. A second signal, or a shutdown
 * longer than SHUTDOWN_TIMEOUT_MS, exits at once with status 1.
 */
export async function runDaemon (config: FedaggConfig, options: RunDaemonOptions = {}): Promise<void> {
  // Handlers go in before the node starts: a parent may signal the moment the ready line appears.
  let requestStop: (reason: string) => void = () => {}
  const stopRequested = new Promise<string>(resolve => { requestStop = resolve })
  let signalled = false
  let logger: Logger | undefined
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled) {
      logger?.warn({ signal }, 'second signal during shutdown, exiting now')
      process.exit(1)
    }
    signalled = true
    requestStop(signal)
  }
  const onStdinEnd = (): void => { requestStop('stdin closed') }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  if (options.stopOnStdinEnd === true) {
    process.stdin.once('end', onStdinEnd)
    process.stdin.resume()
  }
  try {
    const daemon = await startDaemon(config, options)
    logger = daemon.logger
    const reason = await stopRequested
    logger.info({ reason }, 'shutting down')
    const watchdog = setTimeout(() => {
      daemon.logger.error({ timeoutMs: SHUTDOWN_TIMEOUT_MS }, 'graceful shutdown timed out, exiting')
      process.exit(1)
    }, SHUTDOWN_TIMEOUT_MS)
    watchdog.unref()
    try {
      await daemon.stop()
    } finally {
      clearTimeout(watchdog)
    }
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    process.stdin.off('end', onStdinEnd)
    process.stdin.pause()
  }
}

/**
 * A control.json whose daemon still answers means another daemon owns this
 * data directory: two would share one identity and one store. A stale file
 * (daemon killed) is fine; it is overwritten.
 */
async function refuseSecondDaemon (dataDir: string): Promise<void> {
  let client: ControlClient
  try {
    client = new ControlClient({ ...await readControlFile(dataDir), requestTimeoutMs: ALREADY_RUNNING_PROBE_MS })
  } catch {
    return
  }
  let peerId: string
  try {
    peerId = (await client.status()).peerId
  } catch {
    // Refused, timed out or answered by something else (the port was reused): no daemon of ours.
    return
  }
  throw new DaemonAlreadyRunningError(`a daemon for ${peerId} already runs on ${dataDir} (control API ${client.url})`)
}

/** Imported on first use: the CLI's control-API commands never load libp2p. */
async function defaultCreateNode (): Promise<CreateNode> {
  const { createFederationNode } = await import('./federation-node.ts')
  return createFederationNode
}
