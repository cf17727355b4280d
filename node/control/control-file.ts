// control.json in the data directory: where the running daemon's control API listens and its bearer token.
import { randomBytes } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import { KeyFileMissingError, readSecretFile, writeSecretFile } from '../files/secret-file.ts'
import { TOKEN_BYTES } from './constants.ts'
import { DaemonNotRunningError, InvalidControlFileError } from './errors.ts'

export const CONTROL_FILE = 'control.json'

export interface ControlEndpoint {
  /** Base URL of the control API, e.g. http://127.0.0.1:40123 */
  url: string
  /** Bearer token every request (except GET /metrics) must carry. */
  token: string
}

const ControlEndpointSchema = z.object({
  url: z.url({ protocol: /^http$/ }),
  token: z.string().min(1)
})

/** A fresh random bearer token, base64url so it can go in a header as is. */
export function createControlToken (): string {
  return randomBytes(TOKEN_BYTES).toString('base64url')
}

export function controlFilePath (dataDir: string): string {
  return join(dataDir, CONTROL_FILE)
}

/** Written 0600 and atomically: the token grants full control of the node. Each start replaces the last one's. */
export async function writeControlFile (dataDir: string, endpoint: ControlEndpoint): Promise<void> {
  await writeSecretFile(controlFilePath(dataDir), JSON.stringify(endpoint) + '\n', { replace: true })
}

export async function readControlFile (dataDir: string): Promise<ControlEndpoint> {
  const path = controlFilePath(dataDir)
  let text: string
  try {
    text = (await readSecretFile(path)).toString('utf8')
  } catch (err) {
    if (err instanceof KeyFileMissingError) {
      throw new DaemonNotRunningError(`no ${CONTROL_FILE} in ${dataDir}: is \`fedagg start\` running with this --data-dir?`)
    }
    throw err
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    // The parser's message would quote the file, which holds the token.
    throw new InvalidControlFileError(`${path}: expected JSON { url, token }, got unparsable text`)
  }
  const result = ControlEndpointSchema.safeParse(parsed)
  if (!result.success) {
    const got = typeof parsed === 'object' && parsed !== null ? `fields ${Object.keys(parsed).join(', ')}` : typeof parsed
    throw new InvalidControlFileError(`${path}: expected { url: http URL, token: string }, got ${got}`)
  }
  return result.data
}

export async function removeControlFile (dataDir: string): Promise<void> {
  await rm(controlFilePath(dataDir), { force: true })
}
