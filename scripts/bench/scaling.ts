// Measures how a round scales with vector size and with client count, and writes the charts in docs/ from the runs.
//
// Usage: npm run bench:scaling [-- --sizes 10000,100000,1000000] [--size-clients 3]
//                                 [--counts 3,5,10,20] [--count-params 100000] [--key 2048] [--json]
// Each point is a fresh federation of separate processes on loopback running two rounds (bench:round's
// measureFedaggRounds); both the first round (fresh processes) and the later one are charted. The
// client-count runs also record the aggregator's peak RSS, which a streaming fold keeps flat. Client
// counts start at 3, the protocol's quorum floor: a round of 2 cannot be opened.
// Writes docs/scaling-vector-size.svg, docs/scaling-clients.svg, docs/scaling-memory.svg and docs/scaling.json (the figures
// the charts were drawn from, with the machine's load), and prints the same figures.
import { writeFile } from 'node:fs/promises'
import { availableParallelism, loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import type { FixtureKeyBits } from '../federation/process-federation.ts'
import { measureFedaggRounds } from './round-bench.ts'
import type { RoundFigures } from './round-bench.ts'
import { renderLineChart } from './svg-chart.ts'

const DOCS = new URL('../../docs/', import.meta.url)

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000,100000,1000000' },
    'size-clients': { type: 'string', default: '3' },
    counts: { type: 'string', default: '3,5,10,20' },
    'count-params': { type: 'string', default: '100000' },
    key: { type: 'string', default: '2048' },
    json: { type: 'boolean', default: false }
  }
})
const sizes = integers('--sizes', args.sizes, 1)
const counts = integers('--counts', args.counts, 3)
const [sizeClients] = integers('--size-clients', args['size-clients'], 3) as [number]
const [countParams] = integers('--count-params', args['count-params'], 1) as [number]
if (args.key !== '2048' && args.key !== '3072') throw new Error(`--key: expected 2048 or 3072, got ${args.key}`)
const keyBits = Number(args.key) as FixtureKeyBits
// Ctrl-C or a kill: exit through the 'exit' hooks, which kill the federation's processes and remove its files.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => { process.exit(130) })
const note = (text: string): void => { process.stderr.write(text + '\n') }

interface Point {
  clients: number
  params: number
  firstRound: RoundFigures
  laterRound: RoundFigures
}

/** Points whose run failed: reported, left out of the charts, and the run goes on. */
const failures: Array<{ clients: number, params: number, error: string }> = []

async function measure (clients: number, params: number, into: Point[]): Promise<void> {
  try {
    const [firstRound, laterRound] = (await measureFedaggRounds({ keyBits, clients, params, rounds: 2, note })).rounds as [RoundFigures, RoundFigures]
    into.push({ clients, params, firstRound, laterRound })
  } catch (err) {
    // fetch() hides the socket error in its cause ("fetch failed").
    const cause = (err as Error).cause instanceof Error ? ` (${((err as Error).cause as Error).message})` : ''
    const message = `${(err as Error).name}: ${(err as Error).message.split('\n')[0]!}${cause}`
    note(`  ${clients} x ${params} failed: ${message}`)
    failures.push({ clients, params, error: message })
  }
}

const startLoad = loadavg()
note(`bench:scaling at ${keyBits} bits, ${availableParallelism()} cores, load ${startLoad.map(l => l.toFixed(2)).join(' ')}`)
const bySize: Point[] = []
for (const params of sizes) await measure(sizeClients, params, bySize)
const byCount: Point[] = []
for (const clients of counts) await measure(clients, countParams, byCount)
if (bySize.length === 0 || byCount.length === 0) throw new Error(`no chart without points: ${JSON.stringify(failures)}`)

const figures = {
  keyBits,
  encoding: 'fixed:16, clip 1',
  cores: availableParallelism(),
  loadAverageAtStart: startLoad.map(l => Math.round(l * 100) / 100),
  loadAverageAtEnd: loadavg().map(l => Math.round(l * 100) / 100),
  measuredAt: new Date().toISOString(),
  bySize,
  byCount,
  failures
}
const roundSeries = (points: Point[], x: (point: Point) => number): Array<{ name: string, points: Array<[number, number]> }> => [
  { name: 'first round', points: points.map(point => [x(point), point.firstRound.wallSeconds]) },
  { name: 'later round', points: points.map(point => [x(point), point.laterRound.wallSeconds]) }
]
await writeFile(new URL('scaling-vector-size.svg', DOCS), renderLineChart({
  title: `Round time vs vector size (${sizeClients} clients, ${keyBits}-bit key)`,
  xLabel: 'parameters per client (log scale)',
  yLabel: 'seconds, open to decrypted result',
  xLog: true,
  series: roundSeries(bySize, point => point.params)
}))
await writeFile(new URL('scaling-clients.svg', DOCS), renderLineChart({
  title: `Round time vs clients (${countParams} parameters, ${keyBits}-bit key)`,
  xLabel: 'clients',
  yLabel: 'seconds, open to decrypted result',
  series: roundSeries(byCount, point => point.clients)
}))
await writeFile(new URL('scaling-memory.svg', DOCS), renderLineChart({
  title: `Aggregator peak RSS vs clients (${countParams} parameters)`,
  xLabel: 'clients',
  yLabel: 'MB',
  series: [
    { name: 'first round', points: byCount.map(point => [point.clients, point.firstRound.aggregatorPeakRssMB]) },
    { name: 'later round', points: byCount.map(point => [point.clients, point.laterRound.aggregatorPeakRssMB]) }
  ]
}))
await writeFile(new URL('scaling.json', DOCS), JSON.stringify(figures, null, 2) + '\n')

if (args.json) {
  process.stdout.write(JSON.stringify(figures, null, 2) + '\n')
} else {
  const line = (point: Point): string =>
    `  ${point.clients} clients x ${point.params}: first ${point.firstRound.wallSeconds} s, later ${point.laterRound.wallSeconds} s, aggregator peak RSS ${Math.max(point.firstRound.aggregatorPeakRssMB, point.laterRound.aggregatorPeakRssMB)} MB`
  process.stdout.write(['by vector size:', ...bySize.map(line), 'by client count:', ...byCount.map(line),
    ...failures.map(failure => `FAILED ${failure.clients} x ${failure.params}: ${failure.error}`),
    `load ${figures.loadAverageAtStart.join(' ')} at start, ${figures.loadAverageAtEnd.join(' ')} at end; charts in docs/`, ''].join('\n'))
}

function integers (flag: string, text: string, min: number): number[] {
  return text.split(',').map(part => {
    const value = Number(part)
    if (!Number.isSafeInteger(value) || value < min) throw new Error(`${flag}: expected integers >= ${min}, got ${part}`)
    return value
  })
}
