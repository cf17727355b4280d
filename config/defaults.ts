// Default configuration: every value a node runs with when nothing overrides it, with the reason for each.
import type { FedaggConfig } from './schema.ts'

const KiB = 1024
const MiB = 1024 * KiB

/**
 * Defaults are the lowest layer of loadConfig (defaults < file < env < flags).
 * Optional fields (displayName, announce, join, round.clip, round.length)
 * have no default: absent means "not set", and the node decides.
 */
export const DEFAULT_CONFIG: FedaggConfig = {
  /** Next to where fedagg runs, hidden: one checkout or project folder = one node, nothing global to clean up. */
  dataDir: './.fedagg',
  /** A single-federation setup (and the local launcher) need not name it; real federations pick their own. */
  federationId: 'default',
  /** Most organizations only contribute; coordinator and aggregator are chosen deliberately. */
  roles: ['client'],
  /** Loopback and an ephemeral port: a fresh node exposes nothing to the network until told to. */
  listen: ['/ip4/127.0.0.1/tcp/0'],
  control: {
    /** The control API holds the keys to the node; it is never reachable from another host. */
    host: '127.0.0.1',
    /** 0 = ephemeral: several nodes on one machine (the local launcher) never collide; the chosen port is written to the data dir. */
    port: 0
  },
  /** /metrics is served on the loopback-only control listener, so enabling it leaks nothing and costs one counter bump per event. */
  metrics: { enabled: true },
  /** 3072-bit n gives 128-bit security (NIST SP 800-57); 2048 (112-bit) is allowed for tests and small deployments. */
  keyBits: 3072,
  round: {
    /** The reference's federated_secure_sum(x, bitwidth=32): exact integer sums of 32-bit values. */
    encoding: 'int:32',
    /** The protocol's floor: with 2, each contributor learns the other's vector from the sum. Real federations should go higher. */
    minParticipants: 3,
    /** Sizes each slot's carry headroom, ceil(log2(16)) = 4 bits: enough for a pilot federation without wasting slot width. */
    maxParticipants: 16,
    /** Long enough for clients on a WAN to encrypt and upload megabytes, short enough that a stuck round frees its memory soon. */
    deadlineSeconds: 60,
    /**
     * The longest deadline `round open` accepts: a day covers organizations in every time zone
     * submitting in their working hours; anything longer is a typo that would hold the round open.
     */
    maxDeadlineSeconds: 24 * 3600,
    /**
     * Open rounds per aggregator at once. One keeps `submit` unambiguous and bounds the running
     * aggregates an aggregator holds; raise it to pipeline rounds deliberately.
     */
    maxOpenRoundsPerAggregator: 1,
    /**
     * How long past a round's deadline the coordinator keeps asking for the aggregate before it fails
     * the round: covers an aggregator that restarts or reconnects around the deadline.
     */
    settleGraceSeconds: 60,
    /** 64 ciphertexts of a 3072-bit key are 48 KiB: one chunk fits one 64 KiB yamux frame and bounds per-read memory. */
    chunkCiphertexts: 64,
    /**
     * How often a member other than the coordinator asks the coordinator for its open rounds, as a
     * backstop for an announcement that gossip did not deliver (a subscription still propagating when
     * it went out). One small request per member every 15 s; a member that misses an announcement
     * would otherwise learn of the round only when it submits, with no noise precomputed for it.
     */
    openRoundsPollSeconds: 15
  },
  client: {
    /**
     * This node contributes only to rounds announced with at least this quorum: its own guard
     * against a coordinator that announces small rounds. 3 is the protocol's floor.
     */
    minParticipants: 3,
    noisePool: {
      /**
       * Randomizers h_s^r precomputed in the background per key, held in memory only: 4096 cover a
       * 300,000-value fixed-point update at 2048 bits (~85 values per ciphertext) and cost 2 MiB
       * (3 MiB at 3072 bits). A client fills only as many as its last announced round needs.
       */
      maxEntries: 4096
    }
  },
  aggregator: {
    noisePool: {
      /**
       * Randomizers precomputed from the moment a round is announced, so the close multiplies one into
       * each ciphertext of the aggregate instead of computing an exponentiation for it (~5 ms each at
       * 2048 bits): as many as the round's aggregate has ciphertexts, up to this bound.
       */
      maxEntries: 4096
    }
  },
  limits: {
    /** A federation is tens of organizations; 256 leaves room for reconnect churn while capping socket use (libp2p default 300). */
    maxConnections: 256,
    /** Half-open Noise/yamux handshakes cost CPU; 16 absorbs a federation reconnecting at once (libp2p default 10). */
    maxIncomingPendingConnections: 16,
    /** Connection attempts per second from one host before refusal; members reconnect rarely (libp2p default 5). */
    inboundConnectionThreshold: 5,
    /** libp2p's own default: long enough for a TCP + Noise handshake across continents. */
    dialTimeoutMs: 10_000,
    /** Per read on our protocol streams: a peer that sends nothing for 30 s is stalled, not slow. */
    streamTimeoutMs: 30_000,
    /**
     * Whole submission (all chunks). 64 MiB holds ~87k ciphertexts of 3072 bits, i.e. ~7M int:32 values
     * packed 82 per ciphertext: far above a model update, below what would let one client exhaust the aggregator.
     */
    maxSubmissionBytes: 64 * MiB,
    /**
     * Concurrent inbound streams per protocol and per connection (libp2p counts per connection).
     * submit: a client has one upload in flight per open round; 4 allows parallel rounds and a resend while
     * bounding what one member can make the aggregator hold (4 x maxSubmissionBytes for uploads in flight);
     * aggregate: only the coordinator pulls, once per round; roster/peers/rounds/keyproof: small request/response fetches
     * (keyproof once per key and process); tagkey: one small signed message per client and open round, like a fetch;
     * model: each member fetches a training session's model once per round.
     */
    maxInboundStreams: { submit: 4, aggregate: 4, roster: 16, peers: 16, rounds: 16, keyproof: 16, tagkey: 16, model: 16 },
    /** Outbound per protocol and connection: what this node opens itself, one per round or fetch, with slack for retries. */
    maxOutboundStreams: { submit: 4, aggregate: 4, roster: 4, peers: 4, rounds: 4, keyproof: 4, tagkey: 4, model: 4 },
    yamux: {
      /** yamux's default; a chunk of 64 ciphertexts (48 KiB) goes out as one frame. */
      maxMessageSize: 64 * KiB,
      /**
       * Receive window per stream (yamux default 16 MiB). 2 MiB still moves 20 MB/s over a 100 ms RTT,
       * and caps what a peer can make us buffer at 4 submit streams x 2 MiB per connection.
       */
      maxStreamWindowSize: 2 * MiB,
      /** yamux's default: bytes held for a paused reader before the stream is reset. */
      maxReadBufferLength: 4 * MiB,
      /** Bytes queued for a slow remote before reset (yamux default: unbounded); writers await drain well before this. */
      maxWriteBufferLength: 8 * MiB
    },
    gossip: {
      /** One gossip event (up to a 16 MiB RoundResult plus envelope) plus the RPC framing around it. */
      maxMessageBytes: 17 * MiB,
      /** Events per RPC: a federation publishes a handful per round, 64 is generous. */
      maxMessages: 64,
      /** Topics per RPC: a node subscribes to one topic per federation. */
      maxSubscriptions: 64,
      /** IHAVE/IWANT/GRAFT/PRUNE entries per RPC: one topic and tens of peers need few. */
      maxControlMessages: 256
    }
  },
  /** Operators see round progress and refusals without debug noise. */
  logLevel: 'info'
}
