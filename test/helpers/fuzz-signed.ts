// Mutations of SignedPayload envelopes for fuzzing signature checks: each field damaged on its own or together.
import fc from 'fast-check'
import { DOMAINS } from '../../protocol/messages/index.ts'
import type { SignedPayload } from '../../protocol/messages/index.ts'
import { mutatedBytes } from './fuzz.ts'

/** The errors verifySignedPayload may throw before anything is decoded. */
export const ENVELOPE_ERRORS = ['UnexpectedDomainError', 'InvalidPeerIdError', 'UnexpectedSignerError', 'InvalidSignatureError']

/** Text damage: one character replaced, cut short, case-flipped, padded or swapped for junk. */
function mutatedString (valid: string, others: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    fc.tuple(fc.nat(), fc.string({ minLength: 1, maxLength: 1 })).map(([at, ch]) => {
      const i = valid.length === 0 ? 0 : at % valid.length
      return valid.slice(0, i) + ch + valid.slice(i + 1)
    }),
    fc.nat().map(at => valid.slice(0, at % (valid.length + 1))),
    fc.constantFrom(valid.toUpperCase(), valid.toLowerCase(), ` ${valid}`, `${valid}\u0000`, `${valid}x`, valid.repeat(3)),
    fc.constantFrom(...others),
    fc.string({ maxLength: 80 }),
    fc.integer({ min: 129, max: 100_000 }).map(length => 'z'.repeat(length))
  )
}

type EnvelopeField = keyof SignedPayload

/**
 * `signed` with 1 to 4 of its fields damaged. `signers` are other peer IDs (valid signatures by
 * them would be a different failure than garbage). Signatures are bit-flipped, truncated,
 * lengthened or replaced, including by another valid signature of the same length.
 */
export function mutatedEnvelopes (signed: fc.Arbitrary<SignedPayload>, signers: readonly string[], otherSignatures: readonly Uint8Array[] = []): fc.Arbitrary<SignedPayload> {
  const fields = fc.uniqueArray(fc.constantFrom<EnvelopeField>('domain', 'payload', 'signer', 'signature'), { minLength: 1, maxLength: 4 })
  return fc.tuple(signed, fields).chain(([base, chosen]) => {
    const replacement = {
      domain: mutatedString(base.domain, Object.values(DOMAINS)),
      payload: mutatedBytes(fc.constant(base.payload)),
      signer: mutatedString(base.signer, signers),
      signature: fc.oneof(mutatedBytes(fc.constant(base.signature)), fc.uint8Array({ minLength: 64, maxLength: 64 }), ...(otherSignatures.length > 0 ? [fc.constantFrom(...otherSignatures)] : []))
    }
    return fc.record(Object.fromEntries(chosen.map(field => [field, replacement[field]])) as { [K in EnvelopeField]: fc.Arbitrary<SignedPayload[K]> })
      .map(changes => ({ ...base, ...changes }))
  })
}
