// Reads and writes config files (JSON); read errors name the file, and syntax errors its line and column.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { ConfigError } from './errors.ts'
import { findJsonSyntaxError } from './json-position.ts'

/** Reads a config file and returns its top-level object, or throws ConfigError naming the file (and position). */
export async function readConfigFile (file: string): Promise<Record<string, unknown>> {
  const path = resolve(file)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message
    throw new ConfigError([{ path, problem: `expected a readable config file, got ${code}` }], { cause: err })
  }
  return parseConfigText(text, path)
}

/** Parses config JSON (a leading byte-order mark is allowed, as editors add one). */
export function parseConfigText (text: string, path: string): Record<string, unknown> {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text
  let value: unknown
  try {
    value = JSON.parse(body)
  } catch (err) {
    const at = findJsonSyntaxError(body)
    const where = at === undefined ? path : `${path}:${at.line}:${at.column}`
    const problem = at === undefined
      ? `expected JSON, got a syntax error (${(err as Error).message})`
      : `expected ${at.expected} in JSON, got ${at.found}`
    throw new ConfigError([{ path: where, problem }], { cause: err })
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError([{ path, problem: `expected a JSON object at the top level, got ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}` }])
  }
  return value as Record<string, unknown>
}

/**
 * Writes `content` as pretty JSON, atomically: to a temporary file in the
 * same directory, then renamed over the target, so a crash never leaves a
 * half-written config that would stop the next start.
 */
export async function writeJsonFileAtomic (file: string, content: unknown): Promise<void> {
  const path = resolve(file)
  await mkdir(dirname(path), { recursive: true })
  const temporary = `${path}.${process.pid}.tmp`
  await writeFile(temporary, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o644 })
  await rename(temporary, path)
}
