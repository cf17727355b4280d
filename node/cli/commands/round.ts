// `fedagg round open|status|result|cancel`: the coordinator opens and cancels rounds; anyone inspects them and reads results.
import { writeFile } from 'node:fs/promises'
import type { Argv, CommandModule } from 'yargs'
import type { OpenRoundRequest, RoundResultView, RoundView } from '../../api.ts'
import { ControlClient } from '../../control/client.ts'
import { ControlApiError, ResultPendingError } from '../../control/errors.ts'
import { FedaggError } from '../../../protocol/errors.ts'
import { NoEligibleClientsError } from '../errors.ts'
import { formatResult, formatRound, formatRounds } from '../format.ts'
import type { GlobalArgs } from '../global-options.ts'
import { operatorPath } from '../data-dir.ts'
import { printResult } from '../io.ts'
import { numberOption } from '../number-option.ts'

/** Default round deadline: long enough for a handful of organizations to encrypt and upload. */
export const DEFAULT_DEADLINE_SECONDS = 60

/** How often `round result --wait` reports progress: often enough that a wait is never silent for long. */
export const PROGRESS_INTERVAL_SECONDS = 5

/** The round ended failed or corrupt: its result is printed, and the command exits non-zero. */
export class RoundUnsuccessfulError extends FedaggError {
  static override name = 'RoundUnsuccessfulError'
}

/** `round result` without an id on a node that knows no round. */
export class NoRoundsError extends FedaggError {
  static override name = 'NoRoundsError'
}

export interface OpenRoundArgs {
  dataDir: string
  length: number
  encoding: string
  clip?: number
  weightBits?: number
  minParticipants?: number
  maxParticipants?: number
  deadline: number
  eligible?: string[]
  aggregator?: string
}

/**
 * Opens a round on the coordinator. Without --min-participants every
 * eligible client must contribute: the strictest quorum, so a forgotten flag
 * never releases a sum over fewer organizations than the operator expected.
 */
export async function openRound (args: OpenRoundArgs): Promise<RoundView> {
  const client = await ControlClient.fromDataDir(args.dataDir)
  const minParticipants = args.minParticipants ?? args.eligible?.length ??
    (await client.roster()).members.filter(member => member.roles.includes('client')).length
  if (minParticipants === 0) {
    throw new NoEligibleClientsError('the roster has no clients to contribute: admit some first with `fedagg members add <peerId> --role client`')
  }
  const request: OpenRoundRequest = {
    length: args.length,
    encoding: args.encoding,
    clip: args.clip,
    weightBits: args.weightBits,
    minParticipants,
    maxParticipants: args.maxParticipants,
    deadlineSeconds: args.deadline,
    eligible: args.eligible,
    aggregator: args.aggregator
  }
  return client.openRound(request)
}

export async function roundStatus (args: { dataDir: string, roundId?: string }): Promise<RoundView | RoundView[]> {
  const client = await ControlClient.fromDataDir(args.dataDir)
  return args.roundId === undefined ? client.rounds() : client.round(args.roundId)
}

export async function cancelRound (args: { dataDir: string, roundId: string, reason: string }): Promise<RoundView> {
  return (await ControlClient.fromDataDir(args.dataDir)).cancelRound(args.roundId, args.reason)
}

export interface RoundResultArgs {
  dataDir: string
  /** @default the newest round this node knows */
  roundId?: string
  wait: number
  /** Called every PROGRESS_INTERVAL_SECONDS while waiting, with the round as it stands and the seconds of waiting left. */
  onProgress?: (round: RoundView, waitLeftSeconds: number) => void
}

/**
 * The round's result, waiting up to `wait` seconds. The wait is cut into
 * short long-polls so that progress can be reported between them.
 */
export async function roundResult (args: RoundResultArgs): Promise<RoundResultView> {
  const client = await ControlClient.fromDataDir(args.dataDir)
  const roundId = args.roundId ?? (await client.rounds())[0]?.roundId
  if (roundId === undefined) throw new NoRoundsError('this node knows no rounds yet: open one with `fedagg round open`, or name one')
  const giveUpAt = Date.now() + args.wait * 1000
  for (;;) {
    const left = Math.max(0, (giveUpAt - Date.now()) / 1000)
    try {
      return await client.result(roundId, { waitSeconds: Math.min(left, PROGRESS_INTERVAL_SECONDS) })
    } catch (err) {
      if (!(err instanceof ControlApiError && err.name === ResultPendingError.name) || Date.now() >= giveUpAt) throw err
    }
    args.onProgress?.(await client.round(roundId), Math.max(0, (giveUpAt - Date.now()) / 1000))
  }
}

/** One line of progress: status, contributions when this node can see them, and time left. */
export function formatProgress (round: RoundView, waitLeftSeconds: number, nowMs = Date.now()): string {
  const contributions = round.contributors === undefined
    ? 'contributions are counted by the aggregator'
    : `${round.contributors} of ${round.eligible.length} contributed (needs ${round.minParticipants})`
  const deadline = round.deadlineMs > nowMs ? `deadline in ${Math.ceil((round.deadlineMs - nowMs) / 1000)} s` : 'deadline passed, settling'
  return `waiting for round ${round.roundId}: ${round.status}, ${contributions}, ${deadline}; giving up in ${Math.ceil(waitLeftSeconds)} s`
}

/** Writes the whole result to `file`: CSV (index,sum[,mean]) when it ends in .csv, else the JSON view. */
export async function writeResultFile (file: string, result: RoundResultView): Promise<void> {
  if (file.toLowerCase().endsWith('.csv')) {
    const withMean = result.mean.length > 0
    const rows = result.sum.map((sum, i) => withMean ? `${i},${sum},${result.mean[i] ?? ''}` : `${i},${sum}`)
    await writeFile(file, [withMean ? 'index,sum,mean' : 'index,sum', ...rows].join('\n') + '\n')
  } else {
    await writeFile(file, JSON.stringify(result) + '\n')
  }
}

/** What `round result --output FILE` prints: the result without its vectors, and where they went. */
export interface ResultSummary extends Omit<RoundResultView, 'sum' | 'mean'> {
  length: number
  output: string
}

export function resultSummary (result: RoundResultView, output: string): ResultSummary {
  const { sum, mean, ...rest } = result
  return { ...rest, length: Math.max(sum.length, mean.length), output }
}

interface OpenArgs extends GlobalArgs, Omit<OpenRoundArgs, 'dataDir'> {}
interface StatusArgs extends GlobalArgs { id?: string }
interface ResultArgs extends GlobalArgs { id?: string, wait: number, output?: string }
interface CancelArgs extends GlobalArgs { id: string, reason: string }

const open: CommandModule<GlobalArgs, OpenArgs> = {
  command: 'open',
  describe: 'Open a round (coordinator)',
  builder: (yargs: Argv<GlobalArgs>) => yargs
    .option('length', { type: 'string', demandOption: true, coerce: numberOption('length', 'a positive integer'), describe: 'Vector length every client submits' })
    .option('encoding', { type: 'string', default: 'int:32', describe: "'int:<bits>' or 'fixed:<fractionBits>'" })
    .option('clip', { type: 'string', coerce: numberOption('clip', 'a number > 0'), describe: 'Clip bound for fixed-point encodings' })
    .option('weight-bits', { type: 'string', coerce: numberOption('weight-bits', 'a positive integer'), describe: 'Bits of the integer weight for weighted means' })
    .option('min-participants', { type: 'string', coerce: numberOption('min-participants', 'a positive integer'), describe: 'Quorum (default: every eligible client)' })
    .option('max-participants', { type: 'string', coerce: numberOption('max-participants', 'a positive integer'), describe: 'Upper bound used to size packing slots' })
    .option('deadline', { type: 'string', default: String(DEFAULT_DEADLINE_SECONDS), coerce: numberOption('deadline', 'a number of seconds'), describe: 'Seconds until the round closes (at most round.maxDeadlineSeconds, 24 h by default)' })
    .option('eligible', { type: 'string', array: true, describe: 'Peer IDs allowed to contribute (default: every roster client)' })
    .option('aggregator', { type: 'string', describe: "Aggregator peer ID (default: the roster's first)" }) as unknown as Argv<OpenArgs>,
  handler: async (argv) => {
    printResult(argv.io, argv.json, await openRound(argv), formatRound)
  }
}

const status: CommandModule<GlobalArgs, StatusArgs> = {
  command: 'status [id]',
  describe: 'Show one round, or list all rounds',
  builder: (yargs: Argv<GlobalArgs>) => yargs.positional('id', { type: 'string', describe: 'Round ID' }) as unknown as Argv<StatusArgs>,
  handler: async (argv) => {
    printResult(argv.io, argv.json, await roundStatus({ dataDir: argv.dataDir, roundId: argv.id }),
      view => Array.isArray(view) ? formatRounds(view) : formatRound(view))
  }
}

const result: CommandModule<GlobalArgs, ResultArgs> = {
  command: 'result [id]',
  describe: 'Show a round\'s result (default: the newest round); exits 1 when it failed or is corrupt',
  builder: (yargs: Argv<GlobalArgs>) => yargs
    .positional('id', { type: 'string', describe: 'Round ID (default: the newest round)' })
    .option('wait', { type: 'string', default: '0', coerce: numberOption('wait', 'a number of seconds'), describe: 'Seconds to wait for the result, reporting progress on stderr' })
    .option('output', { type: 'string', describe: 'Write the whole result to FILE (.csv: index,sum[,mean]; else JSON) and print a summary' }) as unknown as Argv<ResultArgs>,
  handler: async (argv) => {
    const { io } = argv
    const view = await roundResult({
      dataDir: argv.dataDir,
      roundId: argv.id,
      wait: argv.wait,
      onProgress: (round, left) => { io.stderr.write(formatProgress(round, left) + '\n') }
    })
    if (argv.output === undefined) printResult(io, argv.json, view, formatResult)
    else {
      const file = operatorPath(argv.output, io.env)
      await writeResultFile(file, view)
      printResult(io, argv.json, resultSummary(view, file), summary =>
        `${formatResult({ ...view, sum: [], mean: [] })}\n${summary.length} values written to ${summary.output}`)
    }
    if (view.status !== 'decrypted') {
      throw new RoundUnsuccessfulError(`round ${view.roundId} ${view.status}${view.reason === undefined ? '' : `: ${view.reason}`}`)
    }
  }
}

const cancel: CommandModule<GlobalArgs, CancelArgs> = {
  command: 'cancel <id>',
  describe: 'Close an open round as failed and publish that; nothing is decrypted (coordinator)',
  builder: (yargs: Argv<GlobalArgs>) => yargs
    .positional('id', { type: 'string', demandOption: true, describe: 'Round ID' })
    .option('reason', { type: 'string', default: 'by the coordinator\'s operator', describe: 'Why, published with the round\'s outcome' }) as unknown as Argv<CancelArgs>,
  handler: async (argv) => {
    printResult(argv.io, argv.json, await cancelRound({ dataDir: argv.dataDir, roundId: argv.id, reason: argv.reason }), formatRound)
  }
}

export const roundCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'round',
  describe: 'Open and cancel rounds, follow them and read results (against the running daemon)',
  builder: (yargs: Argv<GlobalArgs>) => yargs
    .command(open)
    .command(status)
    .command(result)
    .command(cancel)
    .demandCommand(1, 'expected a subcommand: open, status, result or cancel'),
  handler: () => {}
}
