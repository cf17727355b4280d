// `fedagg submit`: a client contributes a vector to an open round through its running daemon.
import { readFile } from 'node:fs/promises'
import type { Argv, CommandModule } from 'yargs'
import type { ReceiptView } from '../../api.ts'
import { ControlClient } from '../../control/client.ts'
import { InvalidValuesError, UsageError } from '../errors.ts'
import { formatReceipt } from '../format.ts'
import type { GlobalArgs } from '../global-options.ts'
import { printResult } from '../io.ts'
import { operatorPath } from '../data-dir.ts'
import { DECIMAL_NUMBER, numberOption } from '../number-option.ts'

export interface SubmitArgs {
  dataDir: string
  values?: string
  valuesFile?: string
  round?: string
  weight?: number
}

/** Parses `--values 1,2,3`: comma-separated decimal numbers, nothing else (no 0x10, 0b1, Infinity). */
export function parseValueList (text: string): number[] {
  const parts = text.split(',').map(part => part.trim())
  return parts.map((part, i) => {
    const value = DECIMAL_NUMBER.test(part) ? Number(part) : Number.NaN
    if (!Number.isFinite(value)) throw new InvalidValuesError(`--values: expected a decimal number at position ${i}, got "${part}"`)
    return value
  })
}

/** Reads `--values-file`: a JSON array of finite numbers. */
export async function readValuesFile (path: string): Promise<number[]> {
  let parsed: unknown
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'))
  } catch (err) {
    throw new InvalidValuesError(`--values-file ${path}: expected a JSON array of numbers: ${(err as Error).message}`)
  }
  if (!Array.isArray(parsed) || parsed.length === 0) {
    throw new InvalidValuesError(`--values-file ${path}: expected a non-empty JSON array of numbers`)
  }
  const bad = parsed.findIndex(value => typeof value !== 'number' || !Number.isFinite(value))
  if (bad >= 0) throw new InvalidValuesError(`--values-file ${path}: expected a finite number at index ${bad}, got ${JSON.stringify(parsed[bad])}`)
  return parsed as number[]
}

export async function submitValues (args: SubmitArgs, env: NodeJS.ProcessEnv = process.env): Promise<ReceiptView> {
  if ((args.values === undefined) === (args.valuesFile === undefined)) {
    throw new UsageError('expected exactly one of --values and --values-file')
  }
  const values = args.values !== undefined ? parseValueList(args.values) : await readValuesFile(operatorPath(args.valuesFile as string, env))
  return (await ControlClient.fromDataDir(args.dataDir)).submit(values, { roundId: args.round, weight: args.weight })
}

interface SubmitCommandArgs extends GlobalArgs, Omit<SubmitArgs, 'dataDir'> {}

export const submitCommand: CommandModule<GlobalArgs, SubmitCommandArgs> = {
  command: 'submit',
  describe: 'Encrypt a vector and submit it to the round\'s aggregator (client)',
  builder: (yargs: Argv<GlobalArgs>) => yargs
    .option('values', { type: 'string', describe: 'Comma-separated decimal numbers, e.g. 1,2,3 or -2,0.5,3' })
    .option('values-file', { type: 'string', describe: 'JSON file holding an array of numbers' })
    .option('round', { type: 'string', describe: 'Round ID (default: the latest open round)' })
    .option('weight', { type: 'string', coerce: numberOption('weight', 'a number >= 0'), describe: 'Weight for weighted-mean rounds' }) as unknown as Argv<SubmitCommandArgs>,
  handler: async (argv) => {
    printResult(argv.io, argv.json, await submitValues(argv, argv.io.env), formatReceipt)
  }
}
