// Gossip events: a FederationEvent carries exactly one signed document, exposed as a tagged union.
import { MalformedMessageError, WIRE } from './codec.ts'
import type { WireDecodeOptions } from './codec.ts'
import type { FederationEvent, SignedPayload } from './generated/fedagg.js'
import type { Uint8ArrayList } from 'uint8arraylist'

/** The FederationEvent fields; each holds a SignedPayload of the matching document. */
export const FEDERATION_EVENT_KINDS = ['announcement', 'transcript', 'result', 'roster'] as const
export type FederationEventKind = typeof FEDERATION_EVENT_KINDS[number]

export interface DecodedFederationEvent {
  kind: FederationEventKind
  signed: SignedPayload
}

export function encodeFederationEvent (kind: FederationEventKind, signed: SignedPayload): Uint8Array<ArrayBuffer> {
  return WIRE.FederationEvent.encode({ [kind]: signed })
}

/**
 * Decodes a gossip message. Proto3 cannot express "exactly one of", and a oneof would let protons
 * keep the last field silently, so a message with zero or several documents is refused here.
 */
export function decodeFederationEvent (data: Uint8Array | Uint8ArrayList, options?: WireDecodeOptions<FederationEvent>): DecodedFederationEvent {
  const event = WIRE.FederationEvent.decode(data, options)
  const present = FEDERATION_EVENT_KINDS.filter(kind => event[kind] !== undefined)
  const kind = present[0]
  const signed = kind === undefined ? undefined : event[kind]
  if (present.length !== 1 || kind === undefined || signed === undefined) {
    throw new MalformedMessageError(`FederationEvent: expected exactly one of ${FEDERATION_EVENT_KINDS.join(', ')}, got ${present.length === 0 ? 'none' : present.join(', ')}`)
  }
  return { kind, signed }
}
