// Fuzzes decodeFederationEvent: hostile gossip bytes yield MalformedMessageError, and a decoded event holds exactly one document.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { decodeFederationEvent, encodeFederationEvent, FEDERATION_EVENT_KINDS, WIRE } from '../../../protocol/messages/index.ts'
import type { FederationEvent, SignedPayload } from '../../../protocol/messages/index.ts'
import { expectTyped, FUZZ_TEST_TIMEOUT_MS, fuzzRuns, hostileBytes, mutatedBytes, stopFuzzWatchdog } from '../../helpers/fuzz.ts'
import { messageArbitraries } from './arbitraries.ts'

const MALFORMED = ['MalformedMessageError', 'MessageTooLargeError']
const signedPayload = messageArbitraries.SignedPayload as fc.Arbitrary<SignedPayload>
const kind = fc.constantFrom(...FEDERATION_EVENT_KINDS)

/** Well-formed single-document events, as gossip carries them. */
const validEvents = fc.tuple(kind, signedPayload).map(([k, signed]) => encodeFederationEvent(k, signed))

/** Decodes and checks the contract; a decoded event must hold exactly the one document it names. */
function decodeChecked (data: Uint8Array): ReturnType<typeof decodeFederationEvent> | undefined {
  const outcome = expectTyped('decodeFederationEvent', MALFORMED, () => decodeFederationEvent(data))
  if (!outcome.ok) return undefined
  const raw = WIRE.FederationEvent.decode(data)
  const present = FEDERATION_EVENT_KINDS.filter(k => raw[k] !== undefined)
  assert.deepEqual(present, [outcome.value.kind])
  assert.deepEqual(outcome.value.signed, raw[outcome.value.kind])
  return outcome.value
}

describe('protocol/messages federation-event (fuzz)', function () {
  this.timeout(FUZZ_TEST_TIMEOUT_MS)
  after(stopFuzzWatchdog)

  it('random bytes and protobuf-hostile fragments decode or yield MalformedMessageError', () => {
    fc.assert(fc.property(hostileBytes(), data => { decodeChecked(data) }), fuzzRuns(300))
  })

  it('mutated and spliced valid events decode or yield MalformedMessageError', () => {
    fc.assert(fc.property(mutatedBytes(validEvents), data => { decodeChecked(data) }), fuzzRuns(400))
  })

  it('an event with any number of documents other than one is MalformedMessageError, in any field order', () => {
    const documents = fc.record<FederationEvent>({ announcement: signedPayload, transcript: signedPayload, result: signedPayload, roster: signedPayload }, { requiredKeys: [] })
    fc.assert(fc.property(documents, fc.boolean(), (event, reversed) => {
      const parts = FEDERATION_EVENT_KINDS.filter(k => event[k] !== undefined).map(k => WIRE.FederationEvent.encode({ [k]: event[k] }))
      // Concatenated protobuf messages merge, so field order on the wire is the attacker's choice.
      const data = Buffer.concat(reversed ? parts.reverse() : parts)
      const decoded = decodeChecked(data)
      assert.equal(decoded !== undefined, parts.length === 1, `${parts.length} documents`)
    }), fuzzRuns(200))
  })

  it('a caller maxDataLength is honoured before parsing', () => {
    fc.assert(fc.property(validEvents, fc.nat(), (data, cut) => {
      const limit = cut % (data.length + 1)
      const outcome = expectTyped('decodeFederationEvent', MALFORMED, () => decodeFederationEvent(data, { maxDataLength: limit }))
      assert.equal(outcome.ok ? 'decoded' : outcome.error.name, data.length > limit ? 'MessageTooLargeError' : 'decoded')
    }), fuzzRuns(100))
  })
})
