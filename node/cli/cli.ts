// Assembles the fedagg command line (yargs) from one module per command.
import yargs from 'yargs'
import type { Argv } from 'yargs'
import { requireNodeDataDir } from './data-dir.ts'
import { UsageError } from './errors.ts'
import { globalOptions, resolveDataDir } from './global-options.ts'
import type { GlobalArgs } from './global-options.ts'
import { configCommand } from './commands/config.ts'
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
 * Commands that talk to an existing node through its data directory. `init`
 * creates one, `local` makes its own, `config check FILE` needs none, and
 * `start` checks the data directory its config names.
 */
const NODE_COMMANDS = new Set(['id', 'members', 'round', 'submit', 'status'])

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
    .middleware(async argv => {
      if (NODE_COMMANDS.has(String(argv._[0])) && argv.help !== true) await requireNodeDataDir(argv.dataDir)
    }, false)
    .command(initCommand)
    .command(idCommand)
    .command(startCommand)
    .command(membersCommand)
    .command(roundCommand)
    .command(submitCommand)
    .command(statusCommand)
    .command(localCommand)
    .command(configCommand)
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
      // yargs wraps what an option's coerce throws in its own YError: that is a usage problem too.
      if (err !== undefined && err.name !== 'YError') throw err
      throw new UsageError((err?.message ?? message ?? 'invalid command line').replace(/\s*\n\s*/g, ' '))
    })
}
