// Runs one round over a federation spread across network namespaces, optionally on slow lossy links, and prints its time.
//
// Usage (root; iproute2 and nftables, see npm run setup:test):
//   npm run netns:round [-- --clients 5] [--params 1000] [--rate-mbit 10] [--drop-percent 1] [--json]
// Builds the namespaces (prefix fedagg-<random>), starts one daemon per namespace, runs an int:32 round
// in which client i submits i + 1 everywhere, checks the sum, and tears everything down, also on failure
// or Ctrl-C.
import { parseArgs } from 'node:util'
import { startNetnsFederation } from './federation.ts'
import { netnsUnavailableReason } from './network.ts'

const { values: args } = parseArgs({
  options: {
    clients: { type: 'string', default: '5' },
    params: { type: 'string', default: '1000' },
    'rate-mbit': { type: 'string' },
    'drop-percent': { type: 'string', default: '0' },
    json: { type: 'boolean', default: false }
  }
})
const clients = Number(args.clients)
const params = Number(args.params)
if (!Number.isInteger(clients) || clients < 3) throw new Error(`--clients: expected an integer >= 3, got ${args.clients}`)
if (!Number.isInteger(params) || params < 1) throw new Error(`--params: expected a positive integer, got ${args.params}`)
/** Generous: clients encrypt at once on whatever cores this machine has. */
const DEADLINE_SECONDS = 600

const reason = await netnsUnavailableReason()
if (reason !== undefined) {
  process.stderr.write(`netns:round: the multi-host harness ${reason}\n`)
  process.exit(2)
}
const harness = await startNetnsFederation({ clients })
// Ctrl-C: stop the daemons and delete the namespaces before leaving.
process.once('SIGINT', () => { void harness.stop().finally(() => process.exit(130)) })
try {
  if (args['rate-mbit'] !== undefined) {
    await harness.network.shapeAll({ rateMbit: Number(args['rate-mbit']), dropPercent: Number(args['drop-percent']) })
  }
  const { federation } = harness
  const started = performance.now()
  const round = await federation.openRound({ length: params, encoding: 'int:32', minParticipants: 3, deadlineSeconds: DEADLINE_SECONDS })
  await Promise.all(federation.clients.map(async (client, i) => client.control.submit(new Array<number>(params).fill(i + 1), { roundId: round.roundId })))
  const result = await federation.result(round.roundId, DEADLINE_SECONDS)
  const seconds = Math.round((performance.now() - started) / 10) / 100
  const expected = String(clients * (clients + 1) / 2)
  const ok = result.status === 'decrypted' && result.sum.every(value => value === expected)
  const summary = {
    ok, clients, params, seconds, status: result.status, contributors: result.contributors,
    rateMbit: args['rate-mbit'] === undefined ? null : Number(args['rate-mbit']), dropPercent: Number(args['drop-percent']),
    addresses: Object.fromEntries(federation.nodes.map(node => [node.spec.name, harness.network.address(node.spec.name)]))
  }
  process.stdout.write(args.json
    ? JSON.stringify(summary) + '\n'
    : `${ok ? 'ok' : 'FAILED'}: ${clients} clients x ${params} int:32 values across ${federation.nodes.length} namespaces` +
      `${summary.rateMbit === null ? '' : ` (${summary.rateMbit} Mbit/s, ${summary.dropPercent}% loss)`}: ${result.status} over ${result.contributors} in ${seconds} s\n`)
  process.exitCode = ok ? 0 : 1
} finally {
  await harness.stop()
}
