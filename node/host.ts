// Builds the libp2p 3 host every fedagg node runs: TCP, Noise, yamux, identify and roster-gated gossipsub.
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { gossipsub } from '@libp2p/gossipsub'
import type { GossipSub } from '@libp2p/gossipsub'
import type { ServiceFactoryMap } from 'libp2p'
import type { ConnectionGater, Libp2p, PrivateKey, ServiceMap } from '@libp2p/interface'
import type { Identify as IdentifyService } from '@libp2p/identify'

export interface HostLimits {
  /** Hard cap on open connections; a federation is tens of organizations, not thousands. */
  maxConnections: number
  /** Inbound connections still in the Noise/yamux upgrade; caps half-open handshakes. */
  maxIncomingPendingConnections: number
  /** Inbound connection attempts per second from one host before it is refused. */
  inboundConnectionThreshold: number
  yamux: {
    /** Largest yamux frame we send. */
    maxMessageSize: number
    /** Per-stream receive window: bounds memory a single stream can pin. */
    maxStreamWindowSize: number
    /** Bytes buffered for a slow reader before the stream is reset. */
    maxReadBufferLength: number
    /** Bytes queued for a slow remote before the stream is reset. */
    maxWriteBufferLength: number
  }
  gossip: {
    /** Bounds on one decoded gossipsub RPC, so a peer cannot make us allocate without limit. */
    maxMessages: number
    maxSubscriptions: number
    maxControlMessages: number
    /** Largest gossip message accepted by the length-prefixed decoder. */
    maxMessageBytes: number
  }
}

export interface HostOptions {
  privateKey: PrivateKey
  listen: string[]
  announce?: string[]
  gater: ConnectionGater
  /** Topics this node will ever subscribe to or accept; anything else is dropped unread. */
  allowedTopics: string[]
  limits: HostLimits
  dialTimeoutMs: number
}

export interface BaseServices { identify: IdentifyService, pubsub: GossipSub }

export type FedaggHost<S extends ServiceMap = ServiceMap> = Libp2p<BaseServices & S>

/**
 * Builds the host without starting it, so the caller can wire role services
 * (passed in `services`) and start everything in one step.
 */
export async function createHost<S extends ServiceMap> (options: HostOptions, services: ServiceFactoryMap<S>): Promise<FedaggHost<S>> {
  const { limits } = options
  return createLibp2p({
    start: false,
    privateKey: options.privateKey,
    addresses: { listen: options.listen, announce: options.announce ?? [] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux({
      maxMessageSize: limits.yamux.maxMessageSize,
      streamOptions: {
        maxStreamWindowSize: limits.yamux.maxStreamWindowSize,
        maxReadBufferLength: limits.yamux.maxReadBufferLength,
        maxWriteBufferLength: limits.yamux.maxWriteBufferLength
      }
    })],
    connectionGater: options.gater,
    connectionManager: {
      maxConnections: limits.maxConnections,
      maxIncomingPendingConnections: limits.maxIncomingPendingConnections,
      inboundConnectionThreshold: limits.inboundConnectionThreshold,
      dialTimeout: options.dialTimeoutMs
    },
    services: {
      identify: identify(),
      pubsub: gossipsub({
        globalSignaturePolicy: 'StrictSign',
        allowedTopics: options.allowedTopics,
        // Members must see their own announcements too (a coordinator that is also a client).
        emitSelf: true,
        // A federation of a handful of peers: publishing must not fail because the mesh is still forming.
        allowPublishToZeroTopicPeers: true,
        // Small federations: flood-publish reaches every subscribed member directly, not just mesh peers.
        floodPublish: true,
        decodeRpcLimits: {
          maxSubscriptions: limits.gossip.maxSubscriptions,
          maxMessages: limits.gossip.maxMessages,
          maxIhaveMessageIDs: 5000,
          maxIwantMessageIDs: 5000,
          maxIdontwantMessageIDs: 5000,
          maxControlMessages: limits.gossip.maxControlMessages,
          maxPeerInfos: 16
        },
        maxInboundDataLength: limits.gossip.maxMessageBytes,
        // Membership is gated by the signed roster, so peers sharing an IP (one site, a NAT, a
        // loopback federation) are not Sybils: the colocation penalty -5·(peers − 10)² would
        // otherwise push every score below the publish threshold from 11 peers on one IP.
        scoreParams: { IPColocationFactorWeight: 0 }
      }),
      ...services
    } as ServiceFactoryMap<BaseServices & S>
  })
}
