// Fixed costs of a round: times several rounds in one in-process federation, so the first round's one-time costs show.
//
//   node scripts/bench/round-fixed-costs.ts [--clients 10] [--params 10000] [--rounds 3] [--warm-ms 0] [--json]
//
// Real libp2p nodes on loopback in this one process (the test harness), the 2048-bit fixture key,
// fixed:16 with clip 1. Each round is timed from openRound to the decrypted result, and to the
// moment every client's submit returned. Everything a process pays once (module loading, worker
// start-up, the fixed-base comb of the round's key) lands in round 1; rounds 2.. show the steady
// state, and round 1 minus a later round is the fixed cost. --warm-ms waits that long between the
// announcement reaching every client and the first submit, as a client that trains would, so the
// background noise pool can fill (0: submit at once).
import { parseArgs } from 'node:util'
import { startFederation, waitUntil } from '../../test/helpers/federation.ts'

interface RoundTiming {
  round: number
  /** From openRound to every client's submit having returned its receipt. */
  submitSeconds: number
  /** From openRound to the decrypted result. */
  openToResultSeconds: number
  /**
   * CPU time of the whole process (every thread) over the round: unlike wall time, barely moved
   * by other load on the machine.
   */
  cpuSeconds: number
}

const { values: args } = parseArgs({
  options: {
    clients: { type: 'string', default: '10' },
    params: { type: 'string', default: '10000' },
    rounds: { type: 'string', default: '3' },
    'warm-ms': { type: 'string', default: '0' },
    json: { type: 'boolean', default: false }
  }
})
const clientCount = Number(args.clients)
const params = Number(args.params)
const roundCount = Number(args.rounds)
const warmMs = Number(args['warm-ms'])

const started = performance.now()
const federation = await startFederation({ clients: clientCount })
const federationSeconds = (performance.now() - started) / 1000
const timings: RoundTiming[] = []
try {
  const { coordinator, clients } = federation
  const vectors = clients.map((_, c) => Array.from({ length: params }, (_, i) => Math.sin(i + c)))
  for (let r = 1; r <= roundCount; r++) {
    const opened = performance.now()
    const cpuBefore = process.cpuUsage()
    const round = await coordinator.openRound({ length: params, encoding: 'fixed:16', clip: 1, minParticipants: clientCount, maxParticipants: Math.max(16, clientCount), deadlineSeconds: 600 })
    await Promise.all(clients.map(async client => waitUntil(async () => (await client.round(round.roundId)) !== undefined, 'announcement', 60_000)))
    if (warmMs > 0) await new Promise(resolve => setTimeout(resolve, warmMs))
    await Promise.all(clients.map(async (client, c) => client.submit(vectors[c]!, { roundId: round.roundId })))
    const submitted = performance.now()
    const result = await coordinator.waitForResult(round.roundId, { signal: AbortSignal.timeout(600_000) })
    if (result.status !== 'decrypted') throw new Error(`round ${r} ended ${result.status}: ${result.reason ?? ''}`)
    const done = performance.now()
    const cpu = process.cpuUsage(cpuBefore)
    // With --warm-ms the wait stands for training time, not the round's work: leave it out of both figures.
    timings.push({ round: r, submitSeconds: round3((submitted - opened - warmMs) / 1000), openToResultSeconds: round3((done - opened - warmMs) / 1000), cpuSeconds: round3((cpu.user + cpu.system) / 1e6) })
  }
} finally {
  await federation.stop()
}

const first = timings[0]!
const later = timings.slice(1)
const laterMean = later.length === 0 ? undefined : later.reduce((sum, t) => sum + t.openToResultSeconds, 0) / later.length
const report = {
  keyBits: 2048,
  encoding: 'fixed:16',
  clients: clientCount,
  params,
  warmMs,
  federationStartSeconds: round3(federationSeconds),
  rounds: timings,
  firstRoundSeconds: first.openToResultSeconds,
  laterRoundMeanSeconds: laterMean === undefined ? null : round3(laterMean),
  /** First round minus the mean of the later ones: what the process pays once. */
  fixedCostSeconds: laterMean === undefined ? null : round3(first.openToResultSeconds - laterMean),
  fixedCostCpuSeconds: later.length === 0 ? null : round3(first.cpuSeconds - later.reduce((sum, t) => sum + t.cpuSeconds, 0) / later.length)
}
if (args.json) {
  console.log(JSON.stringify(report))
} else {
  console.log(`${clientCount} clients x ${params} params, fixed:16, 2048-bit key, federation start ${report.federationStartSeconds} s`)
  for (const t of timings) console.log(`round ${t.round}: every submit returned after ${t.submitSeconds} s, result after ${t.openToResultSeconds} s, ${t.cpuSeconds} s CPU`)
  if (laterMean !== undefined) console.log(`fixed cost (round 1 minus later mean): ${report.fixedCostSeconds} s wall, ${report.fixedCostCpuSeconds} s CPU`)
}

function round3 (x: number): number {
  return Math.round(x * 1000) / 1000
}
