// Wire form of the Paillier–Blum modulus proof: BlumModulusProof in fedagg.proto, minimal big-endian numbers.
import type { BlumModulusProof as WireBlumModulusProof } from '../messages/index.ts'
import { bigintToMinimalBytes, bytesToBigint } from './bytes.ts'
import { BlumProofError } from './errors.ts'
import type { BlumModulusProof } from './blum-proof.ts'

/** Version of the BlumModulusProof wire message this code writes and reads. */
export const WIRE_BLUM_PROOF_VERSION = 1

export function blumProofToWire (proof: BlumModulusProof): WireBlumModulusProof {
  return {
    version: WIRE_BLUM_PROOF_VERSION,
    w: Uint8Array.from(bigintToMinimalBytes(proof.w)),
    answers: proof.answers.map(({ x, a, b, z }) => ({ x: Uint8Array.from(bigintToMinimalBytes(x)), z: Uint8Array.from(bigintToMinimalBytes(z)), a, b }))
  }
}

/**
 * Reads a proof; its numbers are checked only for form here (minimal big-endian, so a proof has one
 * encoding): verifyBlumModulusProof checks their values against n.
 */
export function blumProofFromWire (wire: WireBlumModulusProof | undefined): BlumModulusProof {
  if (wire === undefined) throw new BlumProofError('expected a Paillier–Blum modulus proof, got none')
  if (wire.version !== WIRE_BLUM_PROOF_VERSION) throw new BlumProofError(`expected proof version ${WIRE_BLUM_PROOF_VERSION}, got ${wire.version}`)
  const number = (bytes: Uint8Array, what: string): bigint => {
    if (bytes[0] === 0) throw new BlumProofError(`expected ${what} as minimal big-endian bytes, got a leading zero byte`)
    return bytesToBigint(bytes)
  }
  return Object.freeze({
    w: number(wire.w, 'w'),
    answers: Object.freeze(wire.answers.map((answer, i) => Object.freeze({
      x: number(answer.x, `x of answer ${i}`),
      a: answer.a,
      b: answer.b,
      z: number(answer.z, `z of answer ${i}`)
    })))
  })
}
