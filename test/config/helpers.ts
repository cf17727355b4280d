// Shared helpers for config tests: temp files and a matcher for ConfigError lines.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ConfigError } from '../../config/index.ts'

export const PEER_ID = '12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA'

export function tempConfigDir (): { dir: string, write: (name: string, text: string) => string, remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'fedagg-config-'))
  return {
    dir,
    write: (name, text) => {
      const path = join(dir, name)
      writeFileSync(path, text)
      return path
    },
    remove: () => { rmSync(dir, { recursive: true, force: true }) }
  }
}

/** Awaits a rejection with ConfigError and returns its message lines. */
export async function configErrorLines (promise: Promise<unknown>): Promise<string[]> {
  let error: ConfigError | undefined
  try {
    await promise
  } catch (err) {
    error = err as ConfigError
  }
  assert.ok(error !== undefined, 'expected a ConfigError, got success')
  assert.equal(error.name, 'ConfigError', error.message)
  assert.equal(error.message.split('\n').length, error.issues.length)
  return error.message.split('\n')
}
