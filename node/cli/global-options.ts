// The options every fedagg command takes (--data-dir, --config, --json) and how their defaults resolve.
import type { Options } from 'yargs'
import { operatorPath } from './data-dir.ts'
import type { CliIo } from './io.ts'

/** Used when neither --data-dir nor FEDAGG_DATA_DIR is given. */
export const DEFAULT_DATA_DIR = './.fedagg'

export interface GlobalArgs {
  /** Absolute: --data-dir, else FEDAGG_DATA_DIR, else ./.fedagg. */
  dataDir: string
  /** Whether --data-dir was on the command line (it then overrides a config file's dataDir). */
  dataDirGiven: boolean
  config?: string
  json: boolean
  /** Injected through yargs' parse context, not a command-line option. */
  io: CliIo
}

export const globalOptions: Record<'data-dir' | 'config' | 'json', Options> = {
  'data-dir': {
    type: 'string',
    describe: 'Node data directory (identity, keys, config, node.db, control.json)',
    defaultDescription: 'FEDAGG_DATA_DIR or ./.fedagg'
  },
  config: {
    type: 'string',
    describe: 'Config file',
    defaultDescription: 'FEDAGG_CONFIG (start) or <data-dir>/config.json'
  },
  json: {
    type: 'boolean',
    default: false,
    describe: 'Print results as one line of JSON'
  }
}

/**
 * Yargs middleware: settles the data directory and config file once, as
 * absolute paths against the operator's directory (also under `npm run`), so
 * neither the daemon nor the processes it spawns depend on their working directory.
 */
export function resolveDataDir (argv: { dataDir?: unknown, dataDirGiven?: boolean, config?: unknown, io: CliIo }): void {
  const { env } = argv.io
  const given = typeof argv.dataDir === 'string'
  argv.dataDirGiven = given
  argv.dataDir = operatorPath(given ? argv.dataDir as string : env.FEDAGG_DATA_DIR ?? DEFAULT_DATA_DIR, env)
  if (typeof argv.config === 'string') argv.config = operatorPath(argv.config, env)
}
