// Ciphertext wire codec: fixed-width big-endian bytes (width = byte length of n²), with range checks.
import { gcd } from './arith.ts'
import { byteLength, bytesToBigint, writeFixedWidth } from './bytes.ts'
import { assertCiphertext } from './encrypt.ts'
import { CiphertextNotInvertibleError, CiphertextOutOfRangeError, CiphertextWidthError } from './errors.ts'
import type { PaillierPublicKey } from './keys.ts'

/** Bytes per encoded ciphertext: the byte length of n² (512 for a 2048-bit n, 768 for 3072). */
export function ciphertextByteLength (publicKey: PaillierPublicKey): number {
  return byteLength(publicKey.nSquared)
}

/** c as exactly ciphertextByteLength(pk) big-endian bytes; c must satisfy 0 < c < n². */
export function encodeCiphertext (publicKey: PaillierPublicKey, c: bigint): Uint8Array {
  assertCiphertext(publicKey, c)
  return writeFixedWidth(c, ciphertextByteLength(publicKey))
}

/** Reads one ciphertext: wrong length -> CiphertextWidthError; c = 0 or c >= n² -> CiphertextOutOfRangeError. */
export function decodeCiphertext (publicKey: PaillierPublicKey, bytes: Uint8Array): bigint {
  const width = ciphertextByteLength(publicKey)
  if (bytes.byteLength !== width) throw new CiphertextWidthError(`expected a ${width}-byte ciphertext, got ${bytes.byteLength} bytes`)
  const c = bytesToBigint(bytes)
  assertCiphertext(publicKey, c)
  return c
}

/** The ciphertexts concatenated, each at the fixed width, into one buffer. */
export function encodeCiphertexts (publicKey: PaillierPublicKey, cs: readonly bigint[]): Uint8Array {
  const width = ciphertextByteLength(publicKey)
  const bytes = new Uint8Array(width * cs.length)
  cs.forEach((c, i) => {
    assertCiphertext(publicKey, c)
    writeFixedWidth(c, width, bytes, i * width)
  })
  return bytes
}

/** Reads concatenated ciphertexts; a length that is not a multiple of the width is a CiphertextWidthError. */
export function decodeCiphertexts (publicKey: PaillierPublicKey, bytes: Uint8Array): bigint[] {
  const width = ciphertextByteLength(publicKey)
  if (bytes.byteLength % width !== 0) throw new CiphertextWidthError(`expected a multiple of ${width} bytes, got ${bytes.byteLength} bytes`)
  const cs: bigint[] = []
  for (let offset = 0; offset < bytes.byteLength; offset += width) {
    const c = bytesToBigint(bytes, offset, width)
    assertCiphertext(publicKey, c)
    cs.push(c)
  }
  return cs
}

/**
 * Throws CiphertextNotInvertibleError unless gcd(c, n) = 1 for every c, at the cost of one gcd for
 * the whole vector: gcd(∏ (c_i mod n) mod n, n) = 1 exactly when every factor is a unit mod n. A c
 * sharing a factor with n is no encryption of anything (and would reveal that factor).
 */
export function assertAllCoprimeToModulus (publicKey: PaillierPublicKey, cs: readonly bigint[]): void {
  const { n } = publicKey
  let product = 1n
  for (const c of cs) {
    assertCiphertext(publicKey, c)
    product = product * (c % n) % n
  }
  if (gcd(product, n) !== 1n) {
    throw new CiphertextNotInvertibleError('expected every ciphertext coprime to n, got at least one sharing a factor with n')
  }
}

/**
 * A client's vector of ciphertexts, checked before the aggregator folds it in:
 *
 * - no c = 1: E(0) with r = 0, which an honest client produces with
 *   probability 2^-(k/2). This refuses one trivially recognisable
 *   non-encryption, nothing more. It does not enforce fresh randomness
 *   (1 + m·n for m ≠ 0, E(m) with r = 0, passes), and a client that wants
 *   to add nothing to a ciphertext's slots, the count slot included, can
 *   still send any encryption of 0;
 * - every c coprime to n, checked at the cost of one gcd for the whole
 *   vector: gcd(∏ (c_i mod n) mod n, n) = 1 exactly when every factor is a
 *   unit mod n. A non-unit (n itself, or a multiple of p or q) would make the
 *   final aggregate fail its own gcd check, so one client could spoil the
 *   round for everyone.
 */
export function assertSubmittedCiphertexts (publicKey: PaillierPublicKey, cs: readonly bigint[]): void {
  cs.forEach((c, i) => {
    if (c === 1n) throw new CiphertextOutOfRangeError(`ciphertext ${i}: expected a ciphertext other than 1 (E(0) with r = 0)`)
  })
  assertAllCoprimeToModulus(publicKey, cs)
}
