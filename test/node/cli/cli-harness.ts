// Runs the fedagg CLI in-process with captured stdout/stderr, for tests of parsing, output and errors.
import { PassThrough } from 'node:stream'
import { main } from '../../../node/cli/main.ts'

export interface CliRun {
  code: number
  stdout: string
  stderr: string
}

export async function runCli (args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  let out = ''
  let err = ''
  stdout.on('data', (chunk: Buffer) => { out += chunk.toString() })
  stderr.on('data', (chunk: Buffer) => { err += chunk.toString() })
  const code = await main(args, { stdout, stderr, env, stderrIsTTY: false })
  return { code, stdout: out, stderr: err }
}
