// `fedagg config check [FILE]`: validates a config file (by default the data dir's) without starting anything.
import { join } from 'node:path'
import type { Argv, CommandModule } from 'yargs'
import { ConfigError, loadConfig } from '../../../config/index.ts'
import type { ConfigIssue } from '../../../config/index.ts'
import { formatIssue } from '../../../config/errors.ts'
import { FedaggError } from '../../../protocol/errors.ts'
import { operatorPath, requireNodeDataDir } from '../data-dir.ts'
import type { GlobalArgs } from '../global-options.ts'
import { printResult } from '../io.ts'
import { CONFIG_FILE } from './init.ts'

/** The checked file has problems; each was printed with its field and what was expected. */
export class InvalidConfigFileError extends FedaggError {
  static override name = 'InvalidConfigFileError'
}

export interface ConfigCheckReport {
  file: string
  valid: boolean
  issues: ConfigIssue[]
}

/**
 * Loads `file` over the defaults exactly as `start` would, but without the
 * FEDAGG_* environment or flags: the verdict is about the file alone.
 */
export async function checkConfigFile (file: string): Promise<ConfigCheckReport> {
  try {
    await loadConfig({ file, env: {} })
    return { file, valid: true, issues: [] }
  } catch (err) {
    if (err instanceof ConfigError) return { file, valid: false, issues: [...err.issues] }
    throw err
  }
}

interface CheckArgs extends GlobalArgs { file?: string }

const check: CommandModule<GlobalArgs, CheckArgs> = {
  command: 'check [file]',
  describe: 'Validate a config file without starting anything; exits non-zero naming every bad field',
  builder: (yargs: Argv<GlobalArgs>) => yargs
    .positional('file', { type: 'string', describe: 'Config file', defaultDescription: '<data-dir>/config.json' }) as unknown as Argv<CheckArgs>,
  handler: async (argv) => {
    let file: string
    if (argv.file !== undefined) file = operatorPath(argv.file, argv.io.env)
    else if (argv.config !== undefined) file = argv.config
    else {
      await requireNodeDataDir(argv.dataDir)
      file = join(argv.dataDir, CONFIG_FILE)
    }
    const report = await checkConfigFile(file)
    printResult(argv.io, argv.json, report, r => r.valid ? `${r.file}: valid` : r.issues.map(formatIssue).join('\n'))
    if (!report.valid) throw new InvalidConfigFileError(`${file}: ${report.issues.length} problem${report.issues.length === 1 ? '' : 's'}, listed above`)
  }
}

export const configCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'config',
  describe: 'Check config files',
  builder: (yargs: Argv<GlobalArgs>) => yargs
    .command(check)
    .demandCommand(1, 'expected a subcommand: check'),
  handler: () => {}
}
