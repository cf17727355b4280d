// `fedagg start`: loads the config (defaults < file < FEDAGG_* < flags) and runs the daemon in the foreground.
import { join } from 'node:path'
import type { Argv, CommandModule } from 'yargs'
import { LOG_LEVELS, loadConfig } from '../../../config/index.ts'
import type { FedaggConfig } from '../../../config/index.ts'
import { fileExists } from '../../files/secret-file.ts'
import { requireNodeDataDir } from '../data-dir.ts'
import type { GlobalArgs } from '../global-options.ts'
import { CONFIG_FILE } from './init.ts'

export interface StartConfigArgs {
  dataDir: string
  dataDirGiven: boolean
  config?: string
  listen?: string[]
  join?: string
  /** control.port; a fixed port lets Prometheus scrape /metrics at a known address. */
  controlPort?: number
  logLevel?: string
}

/**
 * The daemon's config. The file is --config, else FEDAGG_CONFIG, else
 * <data-dir>/config.json when it exists. A file found inside the data
 * directory implies that directory, so it is passed as the dataDir flag.
 */
export async function loadStartConfig (args: StartConfigArgs, env: NodeJS.ProcessEnv): Promise<FedaggConfig> {
  const implicitFile = join(args.dataDir, CONFIG_FILE)
  const explicitFile = args.config ?? (env.FEDAGG_CONFIG === undefined || env.FEDAGG_CONFIG === '' ? undefined : env.FEDAGG_CONFIG)
  const file = explicitFile ?? (await fileExists(implicitFile) ? implicitFile : undefined)
  const impliesDataDir = args.dataDirGiven || (explicitFile === undefined && file !== undefined)
  return loadConfig({
    file,
    env,
    flags: {
      dataDir: impliesDataDir ? args.dataDir : undefined,
      listen: args.listen,
      join: args.join,
      'control.port': args.controlPort,
      logLevel: args.logLevel
    }
  })
}

interface StartCommandArgs extends GlobalArgs {
  listen?: string[]
  join?: string
  controlPort?: number
  logLevel?: string
  stopOnStdinEnd: boolean
}

export const startCommand: CommandModule<GlobalArgs, StartCommandArgs> = {
  command: 'start',
  describe: 'Run the node in the foreground (Ctrl-C stops it gracefully)',
  builder: (yargs: Argv<GlobalArgs>) => yargs
    .option('join', { type: 'string', describe: 'Coordinator multiaddr ending in /p2p/<peerId>' })
    .option('listen', { type: 'string', array: true, describe: 'Listen multiaddrs (override the config)' })
    .option('control-port', { type: 'number', describe: 'Control API port on loopback, fixed for Prometheus scraping (control.port, FEDAGG_CONTROL_PORT; default 0 = random)' })
    .option('log-level', { type: 'string', choices: LOG_LEVELS, describe: 'Log level (overrides the config\'s logLevel): events at info, refusals at warn' })
    .option('stop-on-stdin-end', { type: 'boolean', default: false, hidden: true, describe: 'Stop when stdin closes (used by fedagg local)' }) as unknown as Argv<StartCommandArgs>,
  handler: async (argv) => {
    const config = await loadStartConfig(argv, argv.io.env)
    await requireNodeDataDir(config.dataDir)
    // The daemon (and libp2p with it) is loaded only by the command that runs it.
    const { runDaemon } = await import('../../daemon.ts')
    await runDaemon(config, { stopOnStdinEnd: argv.stopOnStdinEnd })
    // libp2p can leave timers behind after stop(); the node is down, so leave now.
    process.exit(0)
  }
}
