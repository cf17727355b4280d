// Reads and writes secret files (identity and Paillier keys): owner-only mode, atomic replace, mode checked on load.
import { chmod, open, readFile, rename, stat, unlink } from 'node:fs/promises'
import { dirname, basename, join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { FedaggError } from '../../protocol/errors.ts'

/** Owner read/write only: a key readable by group or others is a key already leaked. */
export const SECRET_FILE_MODE = 0o600

export class InsecureKeyFileError extends FedaggError {
  static override name = 'InsecureKeyFileError'
}

export class KeyFileMissingError extends FedaggError {
  static override name = 'KeyFileMissingError'
}

/**
 * Writes `contents` to `path` with mode 0600. The bytes go to a temporary file
 * in the same directory, are fsynced, then renamed over the target, so a crash
 * leaves either the old key or the new one, never a torn file.
 */
export async function writeSecretFile (path: string, contents: Uint8Array | string): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  const handle = await open(temporary, 'wx', SECRET_FILE_MODE)
  try {
    await handle.writeFile(contents)
    await handle.sync()
  } finally {
    await handle.close()
  }
  try {
    // open() honours the umask; chmod makes the mode exact.
    await chmod(temporary, SECRET_FILE_MODE)
    await rename(temporary, path)
  } catch (err) {
    await unlink(temporary).catch(() => {})
    throw err
  }
}

/** Reads a secret file, refusing one that group or others can access. */
export async function readSecretFile (path: string): Promise<Buffer> {
  let mode: number
  try {
    mode = (await stat(path)).mode
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new KeyFileMissingError(`${path}: no such key file`, { cause: err })
    }
    throw err
  }
  if ((mode & 0o077) !== 0) {
    throw new InsecureKeyFileError(
      `${path}: mode is ${(mode & 0o777).toString(8).padStart(4, '0')}, expected 0600; run chmod 600 on it`)
  }
  return readFile(path)
}

export async function fileExists (path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw err
  }
}
