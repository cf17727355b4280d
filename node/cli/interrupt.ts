// Ctrl-C for commands that run a local federation: the first signal stops every node and cleans up, a second exits at once.
import { FedaggError } from '../../protocol/errors.ts'
import type { CliIo } from './io.ts'

export class InterruptedError extends FedaggError {
  static override name = 'InterruptedError'
}

/**
 * Runs `work` with a signal that SIGINT/SIGTERM abort. The launcher's exit
 * hook still SIGKILLs every child process group if the second signal exits.
 */
export async function untilInterrupted<T> (io: CliIo, command: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController()
  const onSignal = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) process.exit(1)
    io.stderr.write(`fedagg ${command}: ${signal}, stopping every node...\n`)
    controller.abort(new InterruptedError(`stopped by ${signal}; every node was stopped and the temporary directory removed`))
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  try {
    return await work(controller.signal)
  } catch (err) {
    throw controller.signal.aborted ? controller.signal.reason : err
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}
