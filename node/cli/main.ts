// Runs one fedagg command line: parses, dispatches, and turns errors into one stderr line and an exit code.
import { FedaggError } from '../../protocol/errors.ts'
import { buildCli } from './cli.ts'
import { UsageError } from './errors.ts'
import { processIo } from './io.ts'
import type { CliIo } from './io.ts'

export const EXIT_OK = 0
export const EXIT_FAILURE = 1
/** Conventional status for a command line that does not parse (as in sysexits' EX_USAGE spirit, and GNU tools). */
export const EXIT_USAGE = 2

/** Runs `args` (without node and script) and returns the exit status; never throws. */
export async function main (args: string[], io: CliIo = processIo()): Promise<number> {
  try {
    await buildCli().parseAsync(attachNegativeValues(args), { io })
    return EXIT_OK
  } catch (err) {
    io.stderr.write(formatCliError(err))
    return err instanceof UsageError ? EXIT_USAGE : EXIT_FAILURE
  }
}

/**
 * `--values -2,1` as `--values=-2,1`: the parser would otherwise read a
 * value list that starts with a minus sign as an option of its own.
 */
export function attachNegativeValues (args: readonly string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string
    const next = args[i + 1]
    if (arg === '--values' && next !== undefined && /^-[\d.]/.test(next)) {
      out.push(`${arg}=${next}`)
      i++
    } else out.push(arg)
  }
  return out
}

/**
 * `fedagg: <ErrorName>: message` on one line. Expected failures (FedaggError,
 * including errors relayed from the daemon) show no stack; anything else is a
 * bug, and its stack follows so it can be reported.
 */
export function formatCliError (err: unknown): string {
  if (!(err instanceof Error)) return `fedagg: Error: ${String(err)}\n`
  const line = `fedagg: ${err.name}: ${err.message.replace(/\s*\n\s*/g, '; ')}\n`
  if (err instanceof FedaggError || err.stack === undefined) return line
  return line + err.stack.split('\n').slice(1).join('\n') + '\n'
}
