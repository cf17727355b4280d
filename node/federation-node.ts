// createFederationNode: assembles identity, store, roster, libp2p host and role services into one FederationNode.
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { logger } from '@libp2p/logger'
import type { PrivateKey } from '@libp2p/interface'
import { federationTopic } from '../protocol/messages/index.ts'
import type { SignedPayload } from '../protocol/messages/index.ts'
import { VectorDecryptor } from './crypto/vector-decryptor.ts'
import { VectorEncryptor } from './crypto/vector-encryptor.ts'
import { leaseEncryptionPool } from './crypto/shared-pools.ts'
import type { PaillierPrivateKey } from '../protocol/paillier/index.ts'
import { createGenesisRoster, signRoster } from '../protocol/roster/index.ts'
import type { FedaggConfig } from '../config/index.ts'
import type { Role } from './api.ts'
import { loadOrCreateIdentity } from './identity.ts'
import { createHost } from './host.ts'
import type { FedaggHost } from './host.ts'
import type { GossipSub } from '@libp2p/gossipsub'
import { readPaillierKeyFile } from './keys/paillier-key-file.ts'
import { FederationGossip } from './membership/federation-gossip.ts'
import { Membership } from './membership/membership.ts'
import { rosterGater } from './membership/roster-gater.ts'
import { streamLimits } from './streams/limits.ts'
import { createFedaggMetrics } from './metrics/metrics.ts'
import type { FedaggMetrics } from './metrics/metrics.ts'
import { openStore } from './store/index.ts'
import type { Store } from './store/index.ts'
import { aggregatorService } from './services/aggregator.ts'
import { clientService } from './services/client.ts'
import type { ClientAlarm } from './services/client.ts'
import { coordinatorService } from './services/coordinator.ts'
import { keyProofService } from './services/key-proof.ts'
import { membershipService } from './services/membership-service.ts'
import { trainingService } from './training/training-service.ts'
import type { Checkpoint } from './services/checkpoints.ts'
import { NO_EVENTS } from './events/node-events.ts'
import type { NodeEvents } from './events/node-events.ts'
import { RunningNode } from './running-node.ts'
export { runTrainer } from './training/trainer.ts'
export type { RunTrainerOptions } from './training/trainer.ts'
import type { RoleServices } from './running-node.ts'

export interface FederationNodeOptions {
  /** The coordinator's key; read from `<dataDir>/paillier.key` when absent. */
  paillierKey?: PaillierPrivateKey
  metrics?: FedaggMetrics
  /** Crash-test hook called at named points of the aggregator's and coordinator's durable paths. */
  checkpoint?: Checkpoint
  /** Where operator events go (round transitions, submissions, membership, join). @default NO_EVENTS */
  events?: NodeEvents
  /** Called when this client finds its contribution misrepresented (the daemon logs it at warn level). */
  onAlarm?: (alarm: ClientAlarm) => void
}

export async function createFederationNode (config: FedaggConfig, options: FederationNodeOptions = {}): Promise<RunningNode> {
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 })
  const privateKey = await loadOrCreateIdentity(config.dataDir)
  const self = peerIdFromPrivateKey(privateKey).toString()
  const roles = new Set<Role>(config.roles)
  const paillierKey = roles.has('coordinator') ? options.paillierKey ?? await readPaillierKeyFile(config.dataDir) : undefined
  const store = openStore(join(config.dataDir, 'node.db'))
  try {
    return await assemble(config, {
      privateKey,
      self,
      roles,
      paillierKey,
      store,
      metrics: options.metrics ?? createFedaggMetrics({ labels: { peer_id: self } }),
      checkpoint: options.checkpoint,
      events: options.events ?? NO_EVENTS,
      onAlarm: options.onAlarm
    })
  } catch (err) {
    store.close()
    throw err
  }
}

interface Parts {
  privateKey: PrivateKey
  self: string
  roles: Set<Role>
  paillierKey: PaillierPrivateKey | undefined
  store: Store
  metrics: FedaggMetrics
  checkpoint: Checkpoint | undefined
  events: NodeEvents
  onAlarm: ((alarm: ClientAlarm) => void) | undefined
}

async function assemble (config: FedaggConfig, parts: Parts): Promise<RunningNode> {
  const { privateKey, self, roles, paillierKey, store, metrics, events } = parts
  const checkpoint = parts.checkpoint === undefined ? {} : { checkpoint: parts.checkpoint }
  const isCoordinator = roles.has('coordinator')
  const joinCoordinator = config.join === undefined ? undefined : multiaddr(config.join).getComponents().findLast(c => c.name === 'p2p')?.value
  const membership = new Membership({
    self,
    federationId: config.federationId,
    store: store.roster,
    ...(isCoordinator ? { joinCoordinator: self } : joinCoordinator === undefined ? {} : { joinCoordinator })
  })
  await membership.load()
  if (isCoordinator && membership.roster === undefined) {
    const genesis = createGenesisRoster({
      federationId: config.federationId,
      coordinator: self,
      coordinatorName: config.displayName ?? '',
      coordinatorRoles: config.roles.filter(role => role !== 'coordinator'),
      issuedAtMs: Date.now()
    })
    await membership.apply(await signRoster(privateKey, genesis))
  }

  const gossip: FederationGossip = new FederationGossip({
    // Bound late: the role services below need the gossip object before the host exists.
    pubsub: (): GossipSub => host.services.pubsub,
    federationId: config.federationId,
    roles: membership,
    log: logger('fedagg:gossip'),
    onReject: kind => { metrics.gossipRejected(kind) }
  })
  const limits = config.limits
  const protocolLimits = streamLimits(limits)
  const encryptor = roles.has('client') ? clientEncryptor(config, metrics) : undefined
  const zeroEncryptor = roles.has('aggregator') ? aggregatorZeroEncryptor(config, metrics) : undefined
  const decryptor = paillierKey === undefined
    ? undefined
    : new VectorDecryptor(paillierKey, { onDecrypted: (path, count) => { metrics.ciphertextsDecrypted(path, count) } })
  const membershipFactory = membershipService({
    membership,
    gossip,
    ...(config.join === undefined ? {} : { joinAddress: config.join }),
    limits: protocolLimits,
    openRoundsPollMs: config.round.openRoundsPollSeconds * 1000,
    events
  })
  const host: FedaggHost<RoleServices> = await createHost<RoleServices>({
    privateKey,
    listen: config.listen,
    ...(config.announce === undefined ? {} : { announce: config.announce }),
    gater: rosterGater(membership),
    allowedTopics: [federationTopic(config.federationId)],
    limits,
    dialTimeoutMs: limits.dialTimeoutMs
  }, {
    membership: membershipFactory,
    keyProofs: keyProofService({
      federationId: config.federationId,
      membership,
      ...(paillierKey === undefined ? {} : { paillierKey }),
      limits: protocolLimits
    }),
    training: trainingService({
      federationId: config.federationId,
      membership,
      gossip,
      store,
      limits: protocolLimits,
      ...(paillierKey === undefined ? {} : { openRound: async request => requireService(host.services.coordinator).openRound(request) }),
      ...(roles.has('client') ? { submit: async (values, options) => requireService(host.services.client).submit(values, options) } : {})
    }),
    ...(paillierKey === undefined || decryptor === undefined
      ? {}
      : {
          coordinator: coordinatorService({
            federationId: config.federationId,
            membership,
            gossip,
            store,
            metrics,
            paillierKey,
            decryptor,
            limits: protocolLimits,
            settleGraceMs: config.round.settleGraceSeconds * 1000,
            maxDeadlineSeconds: config.round.maxDeadlineSeconds,
            maxOpenRoundsPerAggregator: config.round.maxOpenRoundsPerAggregator,
            events,
            recordOutcome: outcome => { host.services.training.recordOutcome(outcome) },
            ...checkpoint
          })
        }),
    ...(roles.has('aggregator')
      ? {
          aggregator: aggregatorService({
            federationId: config.federationId,
            membership,
            gossip,
            store,
            metrics,
            chunkCiphertexts: config.round.chunkCiphertexts,
            limits: protocolLimits,
            fetchOpenRounds: async (signal): Promise<SignedPayload[]> => host.services.membership.fetchOpenRounds(signal),
            zeroEncryptor: requireService(zeroEncryptor),
            events,
            ...checkpoint
          })
        }
      : {}),
    ...(encryptor !== undefined
      ? {
          client: clientService({
            federationId: config.federationId,
            membership,
            gossip,
            store,
            metrics,
            lookup: async (peers, signal): Promise<void> => host.services.membership.lookup(peers, signal),
            fetchOpenRounds: async (signal): Promise<SignedPayload[]> => host.services.membership.fetchOpenRounds(signal),
            encryptor,
            ensureKeyProven: async (publicKey, signal): Promise<void> => host.services.keyProofs.ensureProven(publicKey, signal),
            chunkCiphertexts: config.round.chunkCiphertexts,
            minParticipants: config.client.minParticipants,
            ...(parts.onAlarm === undefined ? {} : { onAlarm: parts.onAlarm }),
            limits: protocolLimits,
            joinStatus: () => host.services.membership.joinStatus,
            events
          })
        }
      : {})
  })
  const encryptors = [encryptor, zeroEncryptor].filter(e => e !== undefined)
  return new RunningNode({ config, host, membership, gossip, store, metrics, encryptors, ...(decryptor === undefined ? {} : { decryptor }), self })
}

/** Services are bound late (they need each other); a role's service exists whenever the role's callback was passed. */
function requireService<S> (service: S | undefined): S {
  if (service === undefined) throw new Error('role service missing')
  return service
}

/** A client's encryption path; its worker pool is the process's, shared with every other node here. */
function clientEncryptor (config: FedaggConfig, metrics: FedaggMetrics): VectorEncryptor {
  const log = logger('fedagg:client:noise')
  const encryptor = new VectorEncryptor({
    noisePoolEntries: config.client.noisePool.maxEntries,
    onError: err => { log.error('precomputing encryption noise failed - %e', err) },
    onEncrypted: (path, count) => { metrics.ciphertextsEncrypted(path, count) }
  })
  metrics.observeNoisePool(() => encryptor.noiseReady)
  return encryptor
}

/**
 * The aggregator's encryptions of zero, which re-randomize every aggregate it releases: its own
 * noise pool, on a process-wide pool of its own kind.
 */
function aggregatorZeroEncryptor (config: FedaggConfig, metrics: FedaggMetrics): VectorEncryptor {
  const log = logger('fedagg:aggregator:noise')
  const encryptor = new VectorEncryptor({
    noisePoolEntries: config.aggregator.noisePool.maxEntries,
    refillAfterEncrypt: false,
    // One thread, no comb table: ~4.6 ms per h_s^r at 2048 bits, made while the clients train and
    // upload, for ~40 MB less than a table and a second thread (encrypt-pool.ts). At the process's
    // priority: what the pool lacks at the close, the round waits for, and a thread at nice 19 got
    // a fortieth of the cores beside twenty clients refilling theirs (25 s for 1,177 on one machine).
    leasePool: publicKey => leaseEncryptionPool(publicKey, { powers: 'native', threads: 1, niceIncrement: 0 }),
    onError: err => { log.error('precomputing re-randomization noise failed - %e', err) },
    onEncrypted: (path, count) => { metrics.zeroEncryptions(path, count) }
  })
  metrics.observeAggregatorNoisePool(() => encryptor.noiseReady)
  return encryptor
}
