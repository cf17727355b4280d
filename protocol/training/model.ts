// Model parameters as bytes and their identity: float64 little-endian, named by SHA-256 of those bytes.
import { createHash } from 'node:crypto'
import { InvalidModelError } from './errors.ts'

/** Bytes per parameter on the wire and in the store. */
export const PARAMETER_BYTES = 8

/** Parameters as float64 little-endian bytes (the layout numpy calls '<f8'), whatever the host's byte order. */
export function parametersToBytes (parameters: Float64Array): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(parameters.length * PARAMETER_BYTES)
  const view = new DataView(bytes.buffer)
  for (let i = 0; i < parameters.length; i++) view.setFloat64(i * PARAMETER_BYTES, parameters[i] as number, true)
  return bytes
}

/** Inverse of parametersToBytes; refuses a length that is not whole parameters and non-finite values. */
export function parametersFromBytes (bytes: Uint8Array): Float64Array {
  if (bytes.length % PARAMETER_BYTES !== 0) {
    throw new InvalidModelError(`parameters: expected a multiple of ${PARAMETER_BYTES} bytes, got ${bytes.length}`)
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const parameters = new Float64Array(bytes.length / PARAMETER_BYTES)
  for (let i = 0; i < parameters.length; i++) parameters[i] = view.getFloat64(i * PARAMETER_BYTES, true)
  requireFinite(parameters)
  return parameters
}

/** A model's identity: SHA-256 over its float64 little-endian bytes, hex. */
export function modelHash (parameters: Float64Array): string {
  return hashOfBytes(parametersToBytes(parameters))
}

export function hashOfBytes (bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/** Throws InvalidModelError naming the first NaN or infinite parameter. */
export function requireFinite (parameters: ArrayLike<number>): void {
  for (let i = 0; i < parameters.length; i++) {
    if (!Number.isFinite(parameters[i])) throw new InvalidModelError(`parameter ${i}: expected a finite number, got ${String(parameters[i])}`)
  }
}
