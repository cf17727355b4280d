// `fedagg local`: runs a demo federation (coordinator, aggregator, N clients) as separate processes on loopback.
import type { Argv, CommandModule } from 'yargs'
import { LOCAL_DEFAULT_KEY_BITS, runLocalFederation } from '../../local/launcher.ts'
import type { LocalFederationSummary } from '../../local/launcher.ts'
import type { GlobalArgs } from '../global-options.ts'
import { untilInterrupted } from '../interrupt.ts'

/** Exactly what `fedagg local --json` prints. */
export interface LocalJsonOutput {
  sum: Array<number | string>
  participants: number
  seconds: number
  bytes: number
}

export function localJsonOutput (summary: LocalFederationSummary): LocalJsonOutput {
  return { sum: summary.sum, participants: summary.participants, seconds: summary.seconds, bytes: summary.bytes }
}

export function formatLocalSummary (summary: LocalFederationSummary): string {
  const phases = Object.entries(summary.phases).map(([phase, seconds]) => `${phase} ${seconds.toFixed(2)} s`).join(', ')
  const perNode = Object.entries(summary.bytesByNode).map(([name, bytes]) => `${name} ${bytes}`).join(', ')
  return [
    `sum [${summary.sum.join(', ')}] over ${summary.participants} participants (round ${summary.roundId})`,
    `time ${summary.seconds.toFixed(2)} s: ${phases}`,
    `bytes sent ${summary.bytes} (${perNode})`
  ].join('\n')
}

interface LocalArgs extends GlobalArgs {
  clients: number
  keyBits: number
}

export const localCommand: CommandModule<GlobalArgs, LocalArgs> = {
  command: 'local',
  describe: 'Run a whole federation on this machine, each node its own process, and aggregate one round',
  builder: (yargs: Argv<GlobalArgs>) => yargs
    .option('clients', { type: 'number', default: 5, describe: 'Number of client organizations (>= 2)' })
    .option('key-bits', { type: 'number', default: LOCAL_DEFAULT_KEY_BITS, choices: [2048, 3072, 4096], describe: 'Paillier modulus size for the demo coordinator' }) as unknown as Argv<LocalArgs>,
  handler: async (argv) => {
    const { io } = argv
    const summary = await untilInterrupted(io, 'local', async signal => runLocalFederation({
      clients: argv.clients,
      keyBits: argv.keyBits,
      showKeygenProgress: io.stderrIsTTY && !argv.json,
      onPhase: argv.json ? undefined : phase => { io.stderr.write(`fedagg local: ${phase}...\n`) },
      signal
    }))
    if (argv.json) io.stdout.write(JSON.stringify(localJsonOutput(summary)) + '\n')
    else io.stdout.write(formatLocalSummary(summary) + '\n')
  }
}
