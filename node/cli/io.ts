// Where CLI commands write: stdout for results, stderr for progress and errors; swappable in tests.
import type { Writable } from 'node:stream'

export interface CliIo {
  stdout: Writable
  stderr: Writable
  env: NodeJS.ProcessEnv
  /** True when stderr is a terminal, so progress bars and colour make sense. */
  stderrIsTTY: boolean
}

export function processIo (): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    stderrIsTTY: process.stderr.isTTY === true
  }
}

/** Prints a command's result: JSON with --json (one line, for scripts), else the human rendering. */
export function printResult<T> (io: CliIo, json: boolean, value: T, human: (value: T) => string): void {
  io.stdout.write(json ? JSON.stringify(value) + '\n' : human(value).replace(/\n?$/, '\n'))
}
