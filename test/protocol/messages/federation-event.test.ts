// Gossip events: exactly one signed document per FederationEvent, anything else is malformed.
import assert from 'node:assert/strict'
import { decodeFederationEvent, encodeFederationEvent, FEDERATION_EVENT_KINDS, WIRE } from '../../../protocol/messages/index.ts'
import type { SignedPayload } from '../../../protocol/messages/index.ts'

const signed: SignedPayload = { domain: 'fedagg/result/1', payload: Uint8Array.of(1, 2, 3), signer: '12D3KooWexample', signature: new Uint8Array(64).fill(7) }

describe('protocol/messages federation-event', () => {
  for (const kind of FEDERATION_EVENT_KINDS) {
    it(`round-trips a ${kind} event`, () => {
      assert.deepStrictEqual(decodeFederationEvent(encodeFederationEvent(kind, signed)), { kind, signed })
    })
  }

  it('refuses an event with no document', () => {
    assert.throws(() => decodeFederationEvent(WIRE.FederationEvent.encode({})), { name: 'MalformedMessageError', message: /got none/ })
  })

  it('refuses an event with two documents instead of keeping one silently', () => {
    const both = WIRE.FederationEvent.encode({ announcement: signed, result: signed })
    assert.throws(() => decodeFederationEvent(both), { name: 'MalformedMessageError', message: /got announcement, result/ })
  })

  it('refuses bytes that are not a FederationEvent', () => {
    assert.throws(() => decodeFederationEvent(Uint8Array.of(0x0a, 0xff)), { name: 'MalformedMessageError' })
  })
})
