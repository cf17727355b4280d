// Typed errors of the node's crypto runtime: the encryption and decryption worker pools and key generation in a worker.
import { FedaggError } from '../../protocol/errors.ts'

/** A plaintext batch between a crypto pool and its workers is not a whole number of fixed-width plaintexts, or not as many as asked for. */
export class PlaintextBatchWidthError extends FedaggError {
  static override name = 'PlaintextBatchWidthError'
}

/** Pool options out of range: threads or batchSize not an integer >= 1. */
export class InvalidPoolOptionsError extends FedaggError {
  static override name = 'InvalidPoolOptionsError'
}

/** The key-generation worker failed or stopped before producing a key. */
export class KeyGenerationError extends FedaggError {
  static override name = 'KeyGenerationError'
}

/** A randomizer batch from the worker pool has the wrong length for its count. */
export class RandomizerBatchError extends FedaggError {
  static override name = 'RandomizerBatchError'
}

/** encrypt() on a VectorEncryptor that was closed (its node stopped). */
export class EncryptorClosedError extends FedaggError {
  static override name = 'EncryptorClosedError'
}

/**
 * Work asked of a crypto pool (EncryptionPool, DecryptionPool) after destroy() began. Piscina would
 * quietly start new threads for it (a destroyed piscina pool accepts tasks again); a decryption
 * pool's would each hold a copy of the private key.
 */
export class PoolDestroyedError extends FedaggError {
  static override name = 'PoolDestroyedError'
}

/** decrypt() on a VectorDecryptor that was closed (its node stopped). */
export class DecryptorClosedError extends FedaggError {
  static override name = 'DecryptorClosedError'
}
