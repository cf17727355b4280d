// Boundary checks on values handed to the store, so bad input fails with a typed error before touching SQL.
import { InvalidStoreInputError } from './errors.ts'

export function requireId (what: string, value: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidStoreInputError(`${what}: expected a non-empty string, got ${JSON.stringify(value)}`)
  }
  return value
}

export function requireBytes (what: string, value: Uint8Array): Uint8Array {
  if (!(value instanceof Uint8Array) || value.byteLength === 0) {
    throw new InvalidStoreInputError(`${what}: expected non-empty bytes, got ${describe(value)}`)
  }
  return value
}

/** Milliseconds since the epoch, or any other count that must be a non-negative safe integer. */
export function requireCount (what: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InvalidStoreInputError(`${what}: expected a non-negative safe integer, got ${describe(value)}`)
  }
  return value
}

export function bytesEqual (a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false
  for (let i = 0; i < a.byteLength; i++) {
    if (a[i] !== b[i]) return false
  }
  return true
}

function describe (value: unknown): string {
  if (value instanceof Uint8Array) return `${value.byteLength} bytes`
  if (typeof value === 'number') return String(value)
  return typeof value
}

/**
 * Blobs read back from SQLite: node:sqlite copies each into a fresh,
 * non-shared ArrayBuffer, so callers can hand them to protons codecs
 * (which want Uint8Array<ArrayBuffer>) without copying again.
 */
export type StoredBytes = Uint8Array<ArrayBuffer>
