// Reads and writes secret files (identity and Paillier keys, control token): owner-only, created exclusively, checked on the opened descriptor.
import { constants } from 'node:fs'
import { link, open, rename, stat, unlink } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import { dirname, basename, join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { FedaggError } from '../../protocol/errors.ts'

/** Owner read/write only: a key readable by group or others is a key already leaked. */
export const SECRET_FILE_MODE = 0o600

/** A secret file that group or others may access. */
export class InsecureKeyFileError extends FedaggError {
  static override name = 'InsecureKeyFileError'
}

export class KeyFileMissingError extends FedaggError {
  static override name = 'KeyFileMissingError'
}

/** A secret file's name is a symbolic link: whoever controls the link controls which key is read. */
export class KeyFileSymlinkError extends FedaggError {
  static override name = 'KeyFileSymlinkError'
}

/** A secret file is owned by another user (who could have written it), or is no regular file. */
export class KeyFileOwnerError extends FedaggError {
  static override name = 'KeyFileOwnerError'
}

/** An exclusive write found the secret file (or anything else under its name) already there. */
export class KeyFileExistsError extends FedaggError {
  static override name = 'KeyFileExistsError'
}

export interface WriteSecretFileOptions {
  /**
   * Replace an existing file (atomically, by rename): for files rewritten on every start, such as
   * the control file. Keys are never replaced.
   * @default false
   */
  replace?: boolean
}

/**
 * Writes `contents` to `path` with mode 0600. The bytes go to a fresh temporary file in the same
 * directory (created O_CREAT|O_EXCL, so never through a planted file or link), are fsynced, and only
 * then get the final name, so a crash leaves no torn file under it. The final name is taken with
 * link(2), which like O_EXCL fails with EEXIST when the name exists, as any file, directory or
 * symlink, dangling or not: an existing key is never overwritten (KeyFileExistsError), and the check
 * and the creation are one atomic step. With `replace`, rename(2) replaces the name instead.
 */
export async function writeSecretFile (path: string, contents: Uint8Array | string, options: WriteSecretFileOptions = {}): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  const handle = await open(temporary, 'wx', SECRET_FILE_MODE)
  try {
    await handle.writeFile(contents)
    // open() honours the umask; chmod makes the mode exact.
    await handle.chmod(SECRET_FILE_MODE)
    await handle.sync()
  } catch (err) {
    await handle.close()
    await unlink(temporary).catch(() => {})
    throw err
  }
  await handle.close()
  try {
    if (options.replace === true) {
      await rename(temporary, path)
    } else {
      try {
        await link(temporary, path)
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new KeyFileExistsError(`${path}: already exists; refusing to replace it`, { cause: err })
        throw err
      }
    }
    // The new name is a directory entry: fsync the directory so it survives a crash too.
    const directory = await open(dirname(path), 'r')
    try {
      await directory.sync()
    } finally {
      await directory.close()
    }
  } finally {
    await unlink(temporary).catch(() => {})
  }
}

/**
 * Reads a secret file. It is opened O_NOFOLLOW (a symlink fails with ELOOP: KeyFileSymlinkError),
 * and the checks run on that descriptor with fstat, so the file checked is the file read, whatever
 * happens to the name meanwhile: a regular file owned by this process's user (KeyFileOwnerError)
 * that group and others cannot access (InsecureKeyFileError).
 */
export async function readSecretFile (path: string): Promise<Buffer> {
  let handle: FileHandle
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new KeyFileMissingError(`${path}: no such key file`, { cause: err })
    if (code === 'ELOOP') throw new KeyFileSymlinkError(`${path}: is a symbolic link; expected the key file itself`, { cause: err })
    throw err
  }
  try {
    const { mode, uid } = await handle.stat()
    if ((mode & constants.S_IFMT) !== constants.S_IFREG) throw new KeyFileOwnerError(`${path}: expected a regular file`)
    const self = process.getuid?.()
    if (self !== undefined && uid !== self) {
      throw new KeyFileOwnerError(`${path}: owned by uid ${uid}, expected this process's uid ${self}; a key another user can write is not ours`)
    }
    if ((mode & 0o077) !== 0) {
      throw new InsecureKeyFileError(
        `${path}: mode is ${(mode & 0o777).toString(8).padStart(4, '0')}, expected 0600; run chmod 600 on it`)
    }
    return await handle.readFile()
  } finally {
    await handle.close()
  }
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
