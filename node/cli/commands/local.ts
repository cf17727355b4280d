// `fedagg local`: runs a demo federation (coordinator, aggregator, N clients) as separate processes on loopback.
import type { Argv, CommandModule } from 'yargs'
import { FedaggError } from '../../../protocol/errors.ts'
import { LOCAL_DEFAULT_KEY_BITS, runLocalFederation } from '../../local/launcher.ts'
import type { LocalFederationSummary } from '../../local/launcher.ts'
import type { GlobalArgs } from '../global-options.ts'

export class InterruptedError extends FedaggError {
  static override name = 'InterruptedError'
}

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
    const controller = new AbortController()
    // First Ctrl-C: stop every node gracefully and clean up. Second: exit now; the
    // launcher's exit hook still SIGKILLs every child process group.
    const onSignal = (signal: NodeJS.Signals): void => {
      if (controller.signal.aborted) process.exit(1)
      io.stderr.write(`fedagg local: ${signal}, stopping every node...\n`)
      controller.abort(new InterruptedError(`stopped by ${signal}; every node was stopped and the temporary directory removed`))
    }
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
    try {
      const summary = await runLocalFederation({
        clients: argv.clients,
        keyBits: argv.keyBits,
        showKeygenProgress: io.stderrIsTTY && !argv.json,
        onPhase: argv.json ? undefined : phase => { io.stderr.write(`fedagg local: ${phase}...\n`) },
        signal: controller.signal
      })
      if (argv.json) io.stdout.write(JSON.stringify(localJsonOutput(summary)) + '\n')
      else io.stdout.write(formatLocalSummary(summary) + '\n')
    } catch (err) {
      throw controller.signal.aborted ? controller.signal.reason : err
    } finally {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    }
  }
}
