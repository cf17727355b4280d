// Wire format between the crypto pools and their workers: fixed-width plaintexts and ciphertexts, one buffer per batch.
import { byteLength, bytesToBigint, writeFixedWidth } from '../../protocol/paillier/index.ts'
import type { PaillierPublicKey } from '../../protocol/paillier/index.ts'
import { PlaintextBatchWidthError } from './errors.ts'

// Bigints cannot be transferred between threads, and structured-cloning them one by one is slower
// than one buffer: a batch travels as a single transferable Uint8Array each way (µs per value
// against ~1.8 ms per encryption at 2048 bits).

/** One unit of pool work: plaintexts, each exactly plaintextByteLength(pk) big-endian bytes, concatenated. */
export interface EncryptionTask {
  plaintexts: Uint8Array<ArrayBuffer>
  /**
   * The pool's comb table (FixedBaseComb.table) in a SharedArrayBuffer: posting it shares it, no
   * copy. Absent for a pool without a comb ('native' powers): one OpenSSL exponentiation per h_s^r.
   */
  combTable?: Uint8Array
}

// One loaded-signal for every pool (worker-lifecycle.ts); re-exported where the encryption pool and its workers read it.
export { WORKER_LOADED } from './worker-lifecycle.ts'

/** Background pool work: make `count` randomizers h_s^r, returned as fixed-width values like ciphertexts. */
export interface RandomizerTask {
  count: number
  /** As in EncryptionTask. */
  combTable?: Uint8Array
}

/** The pool's first task, run once on one thread: build the comb, and return its table in a SharedArrayBuffer. */
export type CombBuildTask = Record<string, never>

/** Bytes per plaintext in a batch: the byte length of n. */
export function plaintextByteLength (publicKey: PaillierPublicKey): number {
  return byteLength(publicKey.n)
}

export function encodePlaintextBatch (publicKey: PaillierPublicKey, plaintexts: readonly bigint[]): Uint8Array<ArrayBuffer> {
  return encodeFixedWidthBatch(plaintexts, plaintextByteLength(publicKey))
}

/**
 * Values (each already checked to fit) as `width`-byte big-endian numbers, concatenated into one new
 * buffer that can be transferred: ciphertexts at ciphertextByteLength, plaintexts at plaintextByteLength.
 */
export function encodeFixedWidthBatch (values: readonly bigint[], width: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(width * values.length)
  values.forEach((value, i) => writeFixedWidth(value, width, bytes, i * width))
  return bytes
}

/** Reads a batch back; a length that is not a multiple of the width is a PlaintextBatchWidthError. */
export function decodePlaintextBatch (publicKey: PaillierPublicKey, bytes: Uint8Array): bigint[] {
  const width = plaintextByteLength(publicKey)
  if (bytes.byteLength % width !== 0) throw new PlaintextBatchWidthError(`expected a multiple of ${width} bytes, got ${bytes.byteLength}`)
  const plaintexts: bigint[] = []
  for (let offset = 0; offset < bytes.byteLength; offset += width) plaintexts.push(bytesToBigint(bytes, offset, width))
  return plaintexts
}
