// `fedagg round open|status|result`: the coordinator opens rounds; anyone inspects them and reads results.
import type { Argv, CommandModule } from 'yargs'
import type { OpenRoundRequest, RoundResultView, RoundView } from '../../api.ts'
import { ControlClient } from '../../control/client.ts'
import { formatResult, formatRound, formatRounds } from '../format.ts'
import type { GlobalArgs } from '../global-options.ts'
import { printResult } from '../io.ts'

/** Default round deadline: long enough for a handful of organizations to encrypt and upload. */
export const DEFAULT_DEADLINE_SECONDS = 60

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

export async function roundResult (args: { dataDir: string, roundId: string, wait: number }): Promise<RoundResultView> {
  return (await ControlClient.fromDataDir(args.dataDir)).result(args.roundId, { waitSeconds: args.wait })
}

interface OpenArgs extends GlobalArgs, Omit<OpenRoundArgs, 'dataDir'> {}
interface StatusArgs extends GlobalArgs { id?: string }
interface ResultArgs extends GlobalArgs { id: string, wait: number }

const open: CommandModule<GlobalArgs, OpenArgs> = {
  command: 'open',
  describe: 'Open a round (coordinator)',
  builder: (yargs: Argv<GlobalArgs>) => yargs
    .option('length', { type: 'number', demandOption: true, describe: 'Vector length every client submits' })
    .option('encoding', { type: 'string', default: 'int:32', describe: "'int:<bits>' or 'fixed:<fractionBits>'" })
    .option('clip', { type: 'number', describe: 'Clip bound for fixed-point encodings' })
    .option('weight-bits', { type: 'number', describe: 'Bits of the integer weight for weighted means' })
    .option('min-participants', { type: 'number', describe: 'Quorum (default: every eligible client)' })
    .option('max-participants', { type: 'number', describe: 'Upper bound used to size packing slots' })
    .option('deadline', { type: 'number', default: DEFAULT_DEADLINE_SECONDS, describe: 'Seconds until the round closes' })
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
  command: 'result <id>',
  describe: 'Show a round\'s decrypted result (coordinator)',
  builder: (yargs: Argv<GlobalArgs>) => yargs
    .positional('id', { type: 'string', demandOption: true, describe: 'Round ID' })
    .option('wait', { type: 'number', default: 0, describe: 'Seconds to wait for the result' }) as unknown as Argv<ResultArgs>,
  handler: async (argv) => {
    printResult(argv.io, argv.json, await roundResult({ dataDir: argv.dataDir, roundId: argv.id, wait: argv.wait }), formatResult)
  }
}

export const roundCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'round',
  describe: 'Open rounds, follow them and read results (against the running daemon)',
  builder: (yargs: Argv<GlobalArgs>) => yargs
    .command(open)
    .command(status)
    .command(result)
    .demandCommand(1, 'expected a subcommand: open, status or result'),
  handler: () => {}
}
