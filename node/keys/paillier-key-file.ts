// The coordinator's Paillier private key on disk: paillier.key in the data directory, JSON, mode 0600, created exclusively.
import { join } from 'node:path'
import { fileExists, KeyFileExistsError, readSecretFile, writeSecretFile } from '../files/secret-file.ts'
import { privateKeyFromJSON, privateKeyToJSON } from '../../protocol/paillier/index.ts'
import type { PaillierPrivateKey } from '../../protocol/paillier/index.ts'
import { FedaggError } from '../../protocol/errors.ts'

export const PAILLIER_KEY_FILE = 'paillier.key'

export class InvalidPaillierKeyFileError extends FedaggError {
  static override name = 'InvalidPaillierKeyFileError'
}

export class PaillierKeyExistsError extends FedaggError {
  static override name = 'PaillierKeyExistsError'
}

export function paillierKeyPath (dataDir: string): string {
  return join(dataDir, PAILLIER_KEY_FILE)
}

export async function hasPaillierKeyFile (dataDir: string): Promise<boolean> {
  return fileExists(paillierKeyPath(dataDir))
}

/**
 * Writes the key with mode 0600, fsynced, under a name created exclusively (writeSecretFile).
 * Refuses to replace an existing key, or anything else under its name, in the same atomic step
 * that creates it: rounds opened under an existing key could no longer be decrypted. Returns the
 * file's path.
 */
export async function writePaillierKeyFile (dataDir: string, privateKey: PaillierPrivateKey): Promise<string> {
  const path = paillierKeyPath(dataDir)
  try {
    await writeSecretFile(path, JSON.stringify(privateKeyToJSON(privateKey)) + '\n')
  } catch (err) {
    if (err instanceof KeyFileExistsError) {
      throw new PaillierKeyExistsError(`expected no Paillier key at ${path}, found one: rounds opened under it need it to decrypt`, { cause: err })
    }
    throw err
  }
  return path
}

/**
 * Loads the key, refusing a symlink (KeyFileSymlinkError), a file another user owns
 * (KeyFileOwnerError), one group or others can access (InsecureKeyFileError) and one that is
 * missing (KeyFileMissingError). Error messages never quote the file: it is the secret.
 */
export async function readPaillierKeyFile (dataDir: string): Promise<PaillierPrivateKey> {
  const path = paillierKeyPath(dataDir)
  const text = (await readSecretFile(path)).toString('utf8')
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new InvalidPaillierKeyFileError(`${path}: expected the JSON of a Paillier private key, got unparsable text`)
  }
  try {
    return privateKeyFromJSON(json as Parameters<typeof privateKeyFromJSON>[0])
  } catch (err) {
    // Only the error's name: its message could carry key material.
    throw new InvalidPaillierKeyFileError(`${path}: not a valid Paillier private key (${(err as Error).name})`)
  }
}
