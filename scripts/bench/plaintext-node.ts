// Benchmark only: one node of the plaintext baseline round (float64 vectors summed in the clear) over fedagg's libp2p stack.
//
// Usage: node plaintext-node.ts aggregator | coordinator <aggregatorMultiaddr> | client <aggregatorMultiaddr>
// Commands arrive as JSON lines on stdin, events leave as JSON lines on stdout:
//   aggregator   prints {"event":"ready","multiaddr":...}; sums every vector it receives
//   client       {"cmd":"submit","params":P}  -> sends P random floats, {"event":"done"} once acknowledged
//   coordinator  {"cmd":"pull","params":P}    -> fetches the running sum, {"event":"done","sum0":...}
// The protocols below exist only here: this is the baseline fedagg is measured against (what the
// same round costs with no encryption over the same TCP + Noise + yamux host), never part of it.
import { createInterface } from 'node:readline'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import pRetry from 'p-retry'
import { DEFAULT_CONFIG } from '../../config/index.ts'
import { createHost } from '../../node/host.ts'

const SUBMIT_PROTOCOL = '/fedagg-bench/plaintext-submit/1.0.0'
const SUM_PROTOCOL = '/fedagg-bench/plaintext-sum/1.0.0'
/** Values per frame: 8192 float64 are 64 KiB, one yamux frame at fedagg's default maxMessageSize. */
const FRAME_VALUES = 8192
/** Largest frame read: one full frame of values. */
const MAX_FRAME_BYTES = FRAME_VALUES * 8
/** Dialling the aggregator at start-up: generous, since every baseline process starts at once. */
const DIAL_TIMEOUT_MS = 60_000
const DIAL_RETRIES = 5
/** A benchmark round on a loaded machine; a stuck stream fails the run rather than hanging it. */
const STREAM_TIMEOUT_MS = 600_000

const [role, aggregatorAddress] = process.argv.slice(2)
if (role !== 'aggregator' && (role !== 'client' && role !== 'coordinator' || aggregatorAddress === undefined)) {
  throw new Error('usage: plaintext-node.ts aggregator | coordinator <aggregatorMultiaddr> | client <aggregatorMultiaddr>')
}

const host = await createHost({
  privateKey: await generateKeyPair('Ed25519'),
  listen: role === 'aggregator' ? ['/ip4/127.0.0.1/tcp/0'] : [],
  // Every baseline peer is started by the benchmark itself: nothing to gate.
  gater: {},
  allowedTopics: [],
  limits: { ...DEFAULT_CONFIG.limits, inboundConnectionThreshold: 1_000 },
  dialTimeoutMs: DEFAULT_CONFIG.limits.dialTimeoutMs
}, {})
await host.start()
const emit = (event: Record<string, unknown>): void => { process.stdout.write(JSON.stringify(event) + '\n') }

/** The aggregator's running sum, grown to the longest vector seen. */
let sum = new Float64Array(0)

if (role === 'aggregator') {
  await host.handle(SUBMIT_PROTOCOL, async (stream: Stream) => {
    const lp = lpStream(stream, { maxDataLength: MAX_FRAME_BYTES })
    const signal = AbortSignal.timeout(STREAM_TIMEOUT_MS)
    const header = await lp.read({ signal })
    const length = new DataView(header.subarray().buffer, header.subarray().byteOffset).getUint32(0)
    if (sum.length < length) sum = Float64Array.from({ length }, (_, i) => sum[i] ?? 0)
    for (let offset = 0; offset < length;) {
      const frame = await lp.read({ signal })
      const bytes = frame.subarray()
      const values = new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength))
      for (let i = 0; i < values.length; i++) sum[offset + i]! += values[i]!
      offset += values.length
    }
    await lp.write(Uint8Array.of(1), { signal })
    await stream.close({ signal })
  })
  await host.handle(SUM_PROTOCOL, async (stream: Stream) => {
    const lp = lpStream(stream, { maxDataLength: MAX_FRAME_BYTES })
    const signal = AbortSignal.timeout(STREAM_TIMEOUT_MS)
    await writeVector(lp, sum, signal)
    await stream.close({ signal })
  })
  emit({ event: 'ready', multiaddr: host.getMultiaddrs()[0]?.toString() })
} else {
  // Connected before reporting ready, with retries: a dozen processes starting at once on a loaded
  // machine can miss a Noise handshake deadline, and the baseline must not fail for that.
  await pRetry(async () => host.dial(multiaddr(aggregatorAddress!), { signal: AbortSignal.timeout(DIAL_TIMEOUT_MS) }), { retries: DIAL_RETRIES })
  emit({ event: 'ready' })
}

async function writeVector (lp: ReturnType<typeof lpStream>, vector: Float64Array, signal: AbortSignal): Promise<void> {
  const header = new Uint8Array(4)
  new DataView(header.buffer).setUint32(0, vector.length)
  await lp.write(header, { signal })
  for (let offset = 0; offset < vector.length; offset += FRAME_VALUES) {
    const part = vector.subarray(offset, offset + FRAME_VALUES)
    await lp.write(new Uint8Array(part.buffer, part.byteOffset, part.byteLength), { signal })
  }
}

async function submit (params: number): Promise<void> {
  const vector = Float64Array.from({ length: params }, () => Math.random() * 2 - 1)
  const signal = AbortSignal.timeout(STREAM_TIMEOUT_MS)
  const stream = await host.dialProtocol(multiaddr(aggregatorAddress!), SUBMIT_PROTOCOL, { signal })
  const lp = lpStream(stream, { maxDataLength: MAX_FRAME_BYTES })
  await writeVector(lp, vector, signal)
  await lp.read({ signal })
  await stream.close({ signal })
}

async function pull (): Promise<number> {
  const signal = AbortSignal.timeout(STREAM_TIMEOUT_MS)
  const stream = await host.dialProtocol(multiaddr(aggregatorAddress!), SUM_PROTOCOL, { signal })
  const lp = lpStream(stream, { maxDataLength: MAX_FRAME_BYTES })
  const header = await lp.read({ signal })
  const length = new DataView(header.subarray().buffer, header.subarray().byteOffset).getUint32(0)
  let first = Number.NaN
  for (let read = 0; read < length;) {
    const bytes = (await lp.read({ signal })).subarray()
    const values = new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength))
    if (read === 0) first = values[0] ?? Number.NaN
    read += values.length
  }
  await stream.close({ signal })
  return first
}

for await (const line of createInterface({ input: process.stdin })) {
  const command = JSON.parse(line) as { cmd: string, params: number }
  if (command.cmd === 'submit') {
    await submit(command.params)
    emit({ event: 'done' })
  } else if (command.cmd === 'pull') {
    emit({ event: 'done', sum0: await pull() })
  }
}
await host.stop()
process.exit(0)
