// The config schema: field types, bounds and cross-field rules; unknown keys anywhere are errors.
import * as z from 'zod'
import { MAX_VECTOR_LENGTH, parseEncoding } from '../protocol/encoding/index.ts'
import { MAX_CHUNK_CIPHERTEXT_BYTES } from '../protocol/messages/codec.ts'
import { PROTOCOLS, ROLES } from '../protocol/messages/constants.ts'
import { MIN_PARTICIPANTS_FLOOR } from '../protocol/round/index.ts'
import { boolean, intInRange, joinMultiaddr, loopbackHost, multiaddrString, oneOf, pattern, positiveInt, uniqueList } from './fields.ts'
import type { ProtocolName } from '../protocol/messages/constants.ts'

/**
 * Federation ids: [a-z0-9-]{1,64}, starting with a letter or digit, so every
 * id the config accepts is also one protocol/messages accepts (it allows more).
 */
export const CONFIG_FEDERATION_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/

/** Paillier modulus sizes: 3072 (128-bit security) by default, 2048 allowed, shorter refused, 4096 for the cautious. */
export const KEY_BITS = [2048, 3072, 4096] as const

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const

/** yamux refuses smaller frames (verifyConfig: "MaxMessageSize must be greater than a kilobyte"). */
const YAMUX_MIN_MESSAGE_SIZE = 1024
/** The yamux spec's initial window; yamux refuses a max window below it. */
const YAMUX_MIN_STREAM_WINDOW = 256 * 1024
/** Windows are uint32 on the wire. */
const YAMUX_MAX_STREAM_WINDOW = 2 ** 32 - 1
/** A week: a round longer than that is a misconfiguration, not a slow federation. */
const MAX_DEADLINE_SECONDS = 7 * 24 * 3600
/**
 * As many ciphertexts as one CiphertextChunk carries at the smallest key (2048-bit n, so
 * 512-byte ciphertexts mod n²): 2048. Senders cap their chunks at the frame limit for the
 * round's actual key, so a larger setting could never take effect.
 */
const MAX_CHUNK_CIPHERTEXTS = MAX_CHUNK_CIPHERTEXT_BYTES / (2 * KEY_BITS[0] / 8)

/**
 * One positive integer per fedagg stream protocol, keyed by the names in
 * protocol/messages PROTOCOLS, so a new protocol cannot ship without a limit.
 */
const perProtocolStreams = z.strictObject(
  Object.fromEntries(Object.keys(PROTOCOLS).map(name => [name, positiveInt()])) as Record<ProtocolName, z.ZodNumber>,
  { error: 'an object' }
)

const roundSchema = z.strictObject({
  encoding: z.string({ error: "'int:<bits>' or 'fixed:<fractionBits>'" }),
  clip: z.number({ error: 'a finite number > 0' }).positive({ error: 'a finite number > 0' }).optional(),
  length: positiveInt(MAX_VECTOR_LENGTH).optional(),
  minParticipants: intInRange(MIN_PARTICIPANTS_FLOOR, Number.MAX_SAFE_INTEGER, `an integer >= ${MIN_PARTICIPANTS_FLOOR} (with fewer, a contributor learns another's vector from the sum)`),
  maxParticipants: positiveInt(),
  deadlineSeconds: positiveInt(MAX_DEADLINE_SECONDS),
  maxDeadlineSeconds: positiveInt(MAX_DEADLINE_SECONDS),
  maxOpenRoundsPerAggregator: positiveInt(),
  settleGraceSeconds: positiveInt(MAX_DEADLINE_SECONDS),
  chunkCiphertexts: positiveInt(MAX_CHUNK_CIPHERTEXTS),
  openRoundsPollSeconds: intInRange(0, MAX_DEADLINE_SECONDS, 'an integer >= 0 (0 turns the poll off)')
}, { error: 'an object' }).check(ctx => {
  const round = ctx.value
  try {
    parseEncoding(round.encoding, round.clip === undefined ? {} : { clip: round.clip })
  } catch (err) {
    // parseEncoding says "<field>: expected <what>, got <value>"; keep <what>, we report the value ourselves.
    const message = (err as Error).message
    const expectation = /expected (.*), got /.exec(message)?.[1] ?? message
    if (/clip/.test(message)) {
      const why = round.clip === undefined ? ` (required by round.encoding ${JSON.stringify(round.encoding)})` : ''
      ctx.issues.push({ code: 'custom', path: ['clip'], message: `${expectation}${why}`, input: round.clip })
    } else {
      // "encoding.bits: expected an integer in [1, 62]" -> "'int:<bits>' with bits an integer in [1, 62]"
      const part = /^encoding\.(bits|fractionBits):/.exec(message)?.[1]
      const form = part === 'bits' ? "'int:<bits>'" : "'fixed:<fractionBits>'"
      ctx.issues.push({ code: 'custom', path: ['encoding'], message: part === undefined ? expectation : `${form} with ${part} ${expectation}`, input: round.encoding })
    }
  }
  if (round.deadlineSeconds > round.maxDeadlineSeconds) {
    ctx.issues.push({ code: 'custom', path: ['deadlineSeconds'], message: `at most round.maxDeadlineSeconds (${round.maxDeadlineSeconds})`, input: round.deadlineSeconds })
  }
  if (round.minParticipants > round.maxParticipants) {
    ctx.issues.push({ code: 'custom', path: ['minParticipants'], message: `at most round.maxParticipants (${round.maxParticipants})`, input: round.minParticipants })
  }
})

/**
 * 2^20 randomizers are 512 MiB at 2048 bits, 1 GiB at 4096: more than any vector a submission can
 * carry (limits.maxSubmissionBytes), so a larger pool could never be used up by one round.
 */
const MAX_NOISE_POOL_ENTRIES = 2 ** 20

/** A bound on precomputed randomizers, held in memory only. */
const noisePoolSchema = z.strictObject({
  maxEntries: intInRange(0, MAX_NOISE_POOL_ENTRIES, `an integer in [0, ${MAX_NOISE_POOL_ENTRIES}] (0 turns precomputation off)`)
}, { error: 'an object' })

/** What this node accepts as a client, whatever the coordinator announces, and how it prepares to encrypt. */
const clientSchema = z.strictObject({
  minParticipants: intInRange(MIN_PARTICIPANTS_FLOOR, Number.MAX_SAFE_INTEGER, `an integer >= ${MIN_PARTICIPANTS_FLOOR} (the protocol's floor)`),
  noisePool: noisePoolSchema
}, { error: 'an object' })

/** How an aggregator prepares the encryptions of zero that re-randomize a released aggregate. */
const aggregatorSchema = z.strictObject({
  noisePool: noisePoolSchema
}, { error: 'an object' })

const limitsSchema = z.strictObject({
  maxConnections: positiveInt(),
  maxIncomingPendingConnections: positiveInt(),
  inboundConnectionThreshold: positiveInt(),
  /** Passed to libp2p's connectionManager.dialTimeout. */
  dialTimeoutMs: positiveInt(),
  streamTimeoutMs: positiveInt(),
  maxSubmissionBytes: positiveInt(),
  maxInboundStreams: perProtocolStreams,
  maxOutboundStreams: perProtocolStreams,
  /** Names as in @chainsafe/libp2p-yamux 8: maxMessageSize on the muxer, the others in its streamOptions. */
  yamux: z.strictObject({
    maxMessageSize: intInRange(YAMUX_MIN_MESSAGE_SIZE, Number.MAX_SAFE_INTEGER, `an integer >= ${YAMUX_MIN_MESSAGE_SIZE}`),
    maxStreamWindowSize: intInRange(YAMUX_MIN_STREAM_WINDOW, YAMUX_MAX_STREAM_WINDOW),
    maxReadBufferLength: positiveInt(),
    maxWriteBufferLength: positiveInt()
  }, { error: 'an object' }),
  /** Names as in @libp2p/gossipsub 17's decodeRpcLimits, plus maxInboundDataLength as maxMessageBytes. */
  gossip: z.strictObject({
    maxMessageBytes: positiveInt(),
    maxMessages: positiveInt(),
    maxSubscriptions: positiveInt(),
    maxControlMessages: positiveInt()
  }, { error: 'an object' })
}, { error: 'an object' })

export const configSchema = z.strictObject({
  dataDir: z.string({ error: 'a directory path' }).min(1, { error: 'a directory path' }),
  federationId: pattern(CONFIG_FEDERATION_ID_PATTERN, 'lowercase letters, digits and "-", 1 to 64, not starting with "-"'),
  displayName: z.string({ error: 'a name of 1 to 128 characters' }).min(1, { error: 'a name of 1 to 128 characters' }).max(128, { error: 'a name of 1 to 128 characters' }).optional(),
  roles: uniqueList(oneOf(ROLES), `a list of roles from ${ROLES.join(', ')}`),
  listen: z.array(multiaddrString(), { error: 'a list of multiaddrs' }),
  announce: z.array(multiaddrString(), { error: 'a list of multiaddrs' }).optional(),
  join: joinMultiaddr().optional(),
  control: z.strictObject({
    host: loopbackHost(),
    port: intInRange(0, 65_535, 'a port in [0, 65535] (0 = ephemeral)')
  }, { error: 'an object' }),
  metrics: z.strictObject({ enabled: boolean() }, { error: 'an object' }),
  keyBits: z.union([z.literal(KEY_BITS[0]), z.literal(KEY_BITS[1]), z.literal(KEY_BITS[2])], { error: `one of ${KEY_BITS.join(', ')} (shorter moduli are refused)` }),
  round: roundSchema,
  client: clientSchema,
  aggregator: aggregatorSchema,
  limits: limitsSchema,
  logLevel: oneOf(LOG_LEVELS)
}, { error: 'an object' })

export type FedaggConfig = z.output<typeof configSchema>

type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T

/** What a config file (or writeConfigFile) holds: any subset of the fields; the rest come from defaults. */
export type FedaggConfigFile = DeepPartial<FedaggConfig>
