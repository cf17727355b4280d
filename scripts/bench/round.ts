// Benchmarks a whole round, every node its own process, beside the plaintext and the naive one-value-per-ciphertext baselines.
//
// Usage: npm run bench:round [-- --json] [--clients 10] [--params 100000] [--keys 2048,3072] [--naive-sample 50] [--warm-wait 600]
//   --json   print only an array with one object per key size:
//            { keyBits, clients, params, wallSeconds, phases, bytesPerValue, aggregatorPeakRssMB,
//              plaintextWallSeconds, naiveEstimatedSeconds, warmPool, firstRound, laterRound, … }
//
// Per key size, one federation (coordinator, aggregator, clients; pre-generated fixture keys) runs
// two rounds of `params` random floats per client (fixed:16, clip 1): the first in freshly started
// processes, the second after it in the same processes, then a warm-pool round: announced, then left
// (up to --warm-wait seconds, 0 = skip) until every client's precomputed noise covers its vector, and
// timed from the first submit. The top-level figures are the first round's (cold: nothing precomputed). The plaintext baseline runs the same round shape with float64 vectors
// over the same libp2p host, in the same run; the naive design is extrapolated from a timed sample.
import { availableParallelism, loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import type { FixtureKeyBits } from '../federation/process-federation.ts'
import { estimateNaiveRound, measureFedaggRounds, measurePlaintextRounds } from './round-bench.ts'
import type { NaiveEstimate, RoundFigures } from './round-bench.ts'

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    clients: { type: 'string', default: '10' },
    params: { type: 'string', default: '100000' },
    keys: { type: 'string', default: '2048,3072' },
    'naive-sample': { type: 'string', default: '50' },
    'warm-wait': { type: 'string', default: '600' }
  }
})
const clients = positiveInteger('--clients', args.clients, 3)
const params = positiveInteger('--params', args.params, 1)
const naiveSample = positiveInteger('--naive-sample', args['naive-sample'], 1)
const warmWaitSeconds = positiveInteger('--warm-wait', args['warm-wait'], 0)
const keys = args.keys.split(',').map(bits => {
  if (bits !== '2048' && bits !== '3072') throw new Error(`--keys: expected 2048 and/or 3072 (the pre-generated fixture keys), got ${bits}`)
  return Number(bits) as FixtureKeyBits
})

// Ctrl-C or a kill: exit through the 'exit' hooks, which kill the federation's processes and remove its files.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => { process.exit(130) })
// Progress goes to stderr, so stdout carries only the table or the JSON.
const note = (text: string): void => { process.stderr.write(text + '\n') }

interface Row {
  keyBits: number
  clients: number
  params: number
  wallSeconds: number
  phases: RoundFigures['phases']
  bytesPerValue: number
  wireBytesPerValue: number | null
  aggregatorPeakRssMB: number
  plaintextWallSeconds: number
  naiveEstimatedSeconds: number
  /**
   * A third round, timed from the first submit after every client's precomputed-noise pool
   * covered its ciphertexts (the wait, as while training, is poolWaitSeconds); null when the pools
   * did not fill within --warm-wait seconds. warmPoolRound has that round's figures either way.
   */
  warmPool: RoundFigures | null
  warmPoolRound: RoundFigures | null
  firstRound: RoundFigures
  laterRound: RoundFigures
  plaintextLaterRoundSeconds: number
  /** wallSeconds / plaintextWallSeconds, and the same for the later rounds. */
  slowdownVsPlaintext: { firstRound: number, laterRound: number }
  /** naiveEstimatedSeconds / wallSeconds. */
  speedupVsNaive: number
  naive: NaiveEstimate
  cores: number
  loadAverage: number[]
}

note(`bench:round: ${clients} clients x ${params} values, keys ${keys.join(', ')}, ${availableParallelism()} cores, load ${loadavg().map(l => l.toFixed(2)).join(' ')}`)
note('plaintext baseline...')
const plaintext = await measurePlaintextRounds(clients, params)
note(`  plaintext: ${plaintext.wallSeconds.join(' s, ')} s`)
/** Bytes per second the plaintext round moved over the same transport (its later, connected round). */
const transportRate = plaintext.bytesPerValue * clients * params / plaintext.wallSeconds[1]!
const rows: Row[] = []
for (const keyBits of keys) {
  note(`fedagg at ${keyBits} bits...`)
  const measured = await measureFedaggRounds({ keyBits, clients, params, rounds: 2, note, ...(warmWaitSeconds > 0 ? { warmWaitSeconds } : {}) })
  const [firstRound, laterRound] = measured.rounds as [RoundFigures, RoundFigures]
  // A pool that could not fill (turned off, or too small for the vector) makes no warm figure.
  const warm = measured.warm !== undefined && measured.warm.poolReady!.fewest >= measured.warm.poolReady!.needed ? measured.warm : null
  if (measured.warm !== undefined && warm === null) note(`  warm pool: only ${measured.warm.poolReady!.fewest} of ${measured.warm.poolReady!.needed} randomizers ready after ${measured.warm.poolWaitSeconds} s; no warm figure`)
  note(`naive paillier-bigint sample (${naiveSample} values)...`)
  const naive = await estimateNaiveRound(keyBits, clients, params, naiveSample, transportRate)
  rows.push({
    keyBits,
    clients,
    params,
    wallSeconds: firstRound.wallSeconds,
    phases: firstRound.phases,
    bytesPerValue: firstRound.bytesPerValue,
    wireBytesPerValue: firstRound.wireBytesPerValue,
    aggregatorPeakRssMB: Math.max(firstRound.aggregatorPeakRssMB, laterRound.aggregatorPeakRssMB),
    plaintextWallSeconds: plaintext.wallSeconds[0]!,
    naiveEstimatedSeconds: naive.seconds,
    warmPool: warm,
    warmPoolRound: measured.warm ?? null,
    firstRound,
    laterRound,
    plaintextLaterRoundSeconds: plaintext.wallSeconds[1]!,
    slowdownVsPlaintext: {
      firstRound: ratio(firstRound.wallSeconds, plaintext.wallSeconds[0]!),
      laterRound: ratio(laterRound.wallSeconds, plaintext.wallSeconds[1]!)
    },
    speedupVsNaive: ratio(naive.seconds, firstRound.wallSeconds),
    naive,
    cores: availableParallelism(),
    loadAverage: loadavg().map(l => Math.round(l * 100) / 100)
  })
}

if (args.json) {
  process.stdout.write(JSON.stringify(rows, null, 2) + '\n')
} else {
  for (const row of rows) {
    const phases = (figures: RoundFigures): string => Object.entries(figures.phases).map(([phase, s]) => `${phase} ${s} s`).join(', ')
    process.stdout.write([
      `${row.keyBits} bits, ${row.clients} clients x ${row.params} values (fixed:16), ${row.cores} cores, load ${row.loadAverage.join(' ')}`,
      `  first round   ${row.firstRound.wallSeconds} s (${phases(row.firstRound)}); aggregator peak RSS ${row.firstRound.aggregatorPeakRssMB} MB`,
      `  later round   ${row.laterRound.wallSeconds} s (${phases(row.laterRound)}); aggregator peak RSS ${row.laterRound.aggregatorPeakRssMB} MB`,
      row.warmPool === null
        ? `  warm pool     not available${row.warmPoolRound === null ? '' : ` (${row.warmPoolRound.poolReady!.fewest} of ${row.warmPoolRound.poolReady!.needed} randomizers ready after ${row.warmPoolRound.poolWaitSeconds} s)`}`
        : `  warm pool     ${row.warmPool.wallSeconds} s from the first submit (${phases(row.warmPool)}), after ${row.warmPool.poolWaitSeconds} s of filling: ${ratio(row.warmPool.wallSeconds, row.plaintextLaterRoundSeconds)}x the plaintext later round`,
      `  wire          ${row.bytesPerValue} bytes of ciphertext per value, ${row.wireBytesPerValue ?? 'n/a'} received by the aggregator's sockets (plaintext float64: 8, naive: ${row.naive.bytesPerValue})`,
      `  plaintext     ${row.plaintextWallSeconds} s first, ${row.plaintextLaterRoundSeconds} s later: fedagg is ${row.slowdownVsPlaintext.firstRound}x / ${row.slowdownVsPlaintext.laterRound}x slower`,
      `  naive         ${row.naiveEstimatedSeconds} s estimated from ${row.naive.sample} values (per value: encrypt ${ms(row.naive.perValue.encrypt)}, add ${ms(row.naive.perValue.add)}, decrypt ${ms(row.naive.perValue.decrypt)}): fedagg is ${row.speedupVsNaive}x faster`,
      ''
    ].join('\n'))
  }
}

function positiveInteger (flag: string, text: string, min: number): number {
  const value = Number(text)
  if (!Number.isSafeInteger(value) || value < min) throw new Error(`${flag}: expected an integer >= ${min}, got ${text}`)
  return value
}

function ms (seconds: number): string {
  return `${(seconds * 1000).toFixed(3)} ms`
}

function ratio (a: number, b: number): number {
  return Math.round(a / b * 100) / 100
}
