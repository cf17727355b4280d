// Test harness: an in-process federation of real libp2p nodes on loopback TCP, each with its own data dir.
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DEFAULT_CONFIG } from '../../config/index.ts'
import type { FedaggConfig } from '../../config/index.ts'
import { privateKeyFromJSON } from '../../protocol/paillier/index.ts'
import type { PaillierPrivateKey } from '../../protocol/paillier/index.ts'
import { createFederationNode } from '../../node/federation-node.ts'
import type { RunningNode } from '../../node/running-node.ts'
import type { Role } from '../../node/api.ts'
import type { NodeEvents } from '../../node/events/node-events.ts'

const FIXTURES = new URL('../fixtures/', import.meta.url)

export async function fixtureKey (bits: 2048 | 3072 = 2048): Promise<PaillierPrivateKey> {
  return privateKeyFromJSON(JSON.parse(await readFile(new URL(`paillier-${bits}.json`, FIXTURES), 'utf8')))
}

/**
 * Every test node dials from 127.0.0.1, so the per-host inbound connection rate limit (meant for
 * distinct organizations) would count the whole federation as one host.
 */
export function nodeConfig (dataDir: string, roles: Role[], overrides: Partial<FedaggConfig> = {}): FedaggConfig {
  const limits = { ...DEFAULT_CONFIG.limits, inboundConnectionThreshold: 1_000 }
  return { ...DEFAULT_CONFIG, dataDir, federationId: 'test', roles, keyBits: 2048, limits, ...overrides }
}

export interface AddNodeOptions {
  admit?: boolean
  start?: boolean
  overrides?: Partial<FedaggConfig>
}

export interface TestFederation {
  coordinator: RunningNode
  aggregator: RunningNode
  clients: RunningNode[]
  dirs: string[]
  /**
   * Creates a node with `roles` that joins through the coordinator; admits it first unless
   * `admit` is false, and starts it (waiting for the roster) unless `start` is false.
   */
  addNode: (roles: Role[], options?: AddNodeOptions) => Promise<RunningNode>
  stop: () => Promise<void>
}

/** Resolves once `node` holds roster version `version` or later. */
export async function waitForRoster (node: RunningNode, version: number, timeoutMs = 10_000): Promise<void> {
  const started = Date.now()
  while ((node.roster()?.version ?? 0) < version) {
    if (Date.now() - started > timeoutMs) throw new Error(`${node.peerId} did not reach roster v${version} in ${timeoutMs} ms`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

/** The coordinator's count of decrypted aggregates, from its Prometheus registry. */
export async function decryptions (node: RunningNode): Promise<number> {
  const text = await node.metrics.render()
  return [...text.matchAll(/^fedagg_decryptions_total\{[^}]*\} (\d+)$/gm)].reduce((sum, match) => sum + Number(match[1]), 0)
}

/** The value of one un-labelled or labelled series in a Prometheus text page, 0 when absent. */
export function metric (text: string, name: string, labels = ''): number {
  const line = text.split('\n').find(l => l.startsWith(name + '{') && l.includes(labels))
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1))
}

export async function waitUntil (condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const started = Date.now()
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

export interface FederationOptions {
  clients: number
  /** Config overrides for the aggregator only, e.g. short read deadlines or tight stream limits. */
  aggregatorOverrides?: Partial<FedaggConfig>
  /** Config overrides for the coordinator only, e.g. a short settle grace. */
  coordinatorOverrides?: Partial<FedaggConfig>
  /** Receives every node's operator events. */
  events?: NodeEvents
  /**
   * The federation's id ('test' by default). A key proof verified once holds for its (federation,
   * n) in the whole process, so a test that watches a verification happen needs an id of its own.
   */
  federationId?: string
  /** The coordinator's Paillier key; the 2048-bit test key by default. */
  paillierKey?: PaillierPrivateKey
}

/**
 * Coordinator first (genesis roster), then each other node is admitted by
 * peer ID and joins by dialling the coordinator, as an operator would do it.
 * If any step fails, the nodes started so far are stopped and their data dirs
 * removed before the error is rethrown: the caller never gets a federation
 * to stop, and a live node would keep mocha from exiting.
 */
export async function startFederation (options: FederationOptions): Promise<TestFederation> {
  const dirs: string[] = []
  const nodes: RunningNode[] = []
  const stop = async (): Promise<void> => {
    await Promise.allSettled(nodes.map(async node => node.stop()))
    await Promise.all(dirs.map(async dir => rm(dir, { recursive: true, force: true })))
  }
  const newDir = async (): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), 'fedagg-test-'))
    dirs.push(dir)
    return dir
  }
  try {
    const paillierKey = options.paillierKey ?? await fixtureKey(2048)
    const events = options.events === undefined ? {} : { events: options.events }
    const federation = options.federationId === undefined ? {} : { federationId: options.federationId }
    const coordinator = await createFederationNode(nodeConfig(await newDir(), ['coordinator'], { ...federation, ...options.coordinatorOverrides }), { paillierKey, ...events })
    nodes.push(coordinator)
    await coordinator.start()
    const joinAddress = `${coordinator.multiaddrs()[0]}`

    const addNode = async (roles: Role[], nodeOptions: AddNodeOptions = {}): Promise<RunningNode> => {
      const node = await createFederationNode(nodeConfig(await newDir(), roles, { ...federation, join: joinAddress, ...nodeOptions.overrides }), events)
      nodes.push(node)
      if (nodeOptions.admit !== false) await coordinator.addMember(node.peerId, roles)
      if (nodeOptions.start === false) return node
      await node.start()
      if (nodeOptions.admit !== false) await waitForRoster(node, coordinator.roster()!.version)
      return node
    }

    const aggregator = await addNode(['aggregator'], { overrides: options.aggregatorOverrides ?? {} })
    const clients: RunningNode[] = []
    for (let i = 0; i < options.clients; i++) clients.push(await addNode(['client']))
    // Everyone must hold the final roster before rounds are opened.
    for (const node of [aggregator, ...clients]) await waitForRoster(node, coordinator.roster()!.version)

    return { coordinator, aggregator, clients, dirs, addNode, stop }
  } catch (err) {
    // Report the failure that stopped the start; a cleanup failure after it would only hide it.
    await stop().catch(() => {})
    throw err
  }
}

/**
 * A client's submit, tried once more after UnprovenKeyError. The first submit under a key makes the
 * in-process coordinator compute its modulus proof and the client verify it, on the one event loop
 * every node of the federation shares; on a heavily loaded machine that can outlast the 10 s
 * key-proof request. The coordinator keeps the proof once computed, so the second try only verifies.
 */
export async function submitOnceProven (client: RunningNode, values: readonly number[], roundId: string): Promise<void> {
  try {
    await client.submit(values, { roundId })
  } catch (err) {
    if ((err as Error).name !== 'UnprovenKeyError') throw err
    await client.submit(values, { roundId })
  }
}
