// Assembles the fedagg command line (yargs) from one module per command.
import yargs from 'yargs'
import type { Argv } from 'yargs'
import { UsageError } from './errors.ts'
import { globalOptions, resolveDataDir } from './global-options.ts'
import type { GlobalArgs } from './global-options.ts'
import { demoCommand } from './commands/demo.ts'
import { idCommand } from './commands/id.ts'
import { initCommand } from './commands/init.ts'
import { localCommand } from './commands/local.ts'
import { membersCommand } from './commands/members.ts'
import { roundCommand } from './commands/round.ts'
import { startCommand } from './commands/start.ts'
import { statusCommand } from './commands/status.ts'
import { submitCommand } from './commands/submit.ts'

/**
 * The parser, without running it. Parse failures and handler errors are
 * thrown (never printed by yargs, never process.exit), so main() decides how
 * they look: a usage problem becomes a UsageError.
 */
export function buildCli (): Argv<GlobalArgs> {
  // The global options are typed by GlobalArgs (resolveDataDir settles dataDir), not inferred from their Options.
  const parser = yargs().options(globalOptions) as unknown as Argv<GlobalArgs>
  return parser
    .scriptName('fedagg')
    .usage('$0 <command> [options]\n\nA federation node for secure aggregation with Paillier.')
    // After validation: strict mode would otherwise reject the derived dataDirGiven as an unknown option.
    .middleware(argv => { resolveDataDir(argv as unknown as GlobalArgs) }, false)
    .command(initCommand)
    .command(idCommand)
    .command(startCommand)
    .command(membersCommand)
    .command(roundCommand)
    .command(submitCommand)
    .command(statusCommand)
    .command(localCommand)
    .command(demoCommand)
    .demandCommand(1, 'expected a command')
    .recommendCommands()
    .strict()
    .help()
    .version(false)
    .wrap(null)
    .exitProcess(false)
    .fail((message: string | null, err: Error | undefined) => {
      // yargs' messages can span lines ("Invalid values:\n  Argument: ..."); the CLI prints one.
      throw err ?? new UsageError((message ?? 'invalid command line').replace(/\s*\n\s*/g, ' '))
    })
}
