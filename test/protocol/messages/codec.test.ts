// Wire codecs: every message round-trips, and hostile bytes only ever yield MalformedMessageError.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { Uint8ArrayList } from 'uint8arraylist'
import { MalformedMessageError, WIRE } from '../../../protocol/messages/index.ts'
import type { WireCodec, WireMessageName } from '../../../protocol/messages/index.ts'
import { messageArbitraries } from './arbitraries.ts'

const names = Object.keys(WIRE) as WireMessageName[]

function codecOf (name: WireMessageName): WireCodec<unknown> {
  return WIRE[name] as WireCodec<unknown>
}

/** Decoding must either succeed or fail with MalformedMessageError; anything else is a bug. */
function decodeOrMalformed (name: WireMessageName, data: Uint8Array): void {
  try {
    codecOf(name).decode(data)
  } catch (err) {
    assert.ok(err instanceof MalformedMessageError, `${name}: unexpected ${String(err)}`)
  }
}

describe('protocol/messages codec', () => {
  for (const name of names) {
    describe(name, () => {
      it('round-trips arbitrary values', () => {
        fc.assert(fc.property(messageArbitraries[name], value => {
          const codec = codecOf(name)
          assert.deepStrictEqual(codec.decode(codec.encode(value)), value)
        }), { numRuns: 200 })
      })

      it('decodes from a Uint8ArrayList as from one buffer', () => {
        fc.assert(fc.property(messageArbitraries[name], fc.nat(), (value, cut) => {
          const codec = codecOf(name)
          const encoded = codec.encode(value)
          const at = encoded.length === 0 ? 0 : cut % encoded.length
          const list = new Uint8ArrayList(encoded.subarray(0, at), encoded.subarray(at))
          assert.deepStrictEqual(codec.decode(list), value)
        }), { numRuns: 50 })
      })

      it('never crashes on truncated, mutated or garbage bytes', () => {
        const codec = codecOf(name)
        const mutated = fc.tuple(messageArbitraries[name], fc.nat(), fc.integer({ min: 1, max: 255 })).map(([value, at, flip]) => {
          const encoded = codec.encode(value).slice()
          if (encoded.length > 0) encoded[at % encoded.length]! ^= flip
          return encoded
        })
        const truncated = fc.tuple(messageArbitraries[name], fc.nat()).map(([value, cut]) => {
          const encoded = codec.encode(value)
          return encoded.subarray(0, encoded.length === 0 ? 0 : cut % encoded.length)
        })
        const garbage = fc.uint8Array({ maxLength: 512 })
        fc.assert(fc.property(fc.oneof(mutated, truncated, garbage), data => { decodeOrMalformed(name, data) }), { numRuns: 300 })
      })

      it('refuses more bytes than maxDataLength before parsing', () => {
        const codec = codecOf(name)
        const oversized = new Uint8Array(codec.maxDataLength + 1)
        assert.throws(() => codec.decode(oversized), { name: 'MessageTooLargeError' })
        assert.throws(() => codec.decode(new Uint8Array(11), { maxDataLength: 10 }), (err: Error) => err instanceof MalformedMessageError && err.name === 'MessageTooLargeError')
      })
    })
  }

  it('reports a truncated message as MalformedMessageError naming the type', () => {
    const encoded = WIRE.SubmissionHeader.encode({ roundId: 'r-1', keyFingerprint: 'fp', ciphertextCount: 3, ciphertextWidth: 768, chunkCount: 1, digest: new Uint8Array(32) })
    assert.throws(() => WIRE.SubmissionHeader.decode(encoded.subarray(0, encoded.length - 5)), (err: Error) => {
      assert.equal(err.name, 'MalformedMessageError')
      assert.match(err.message, /^SubmissionHeader: /)
      return true
    })
  })

  it('enforces caller limits on repeated fields while decoding', () => {
    const encoded = WIRE.Roster.encode({
      federationId: 'f',
      version: 2,
      coordinator: 'c',
      members: [{ peerId: 'a', name: 'A', roles: ['client'] }, { peerId: 'b', name: 'B', roles: ['client', 'aggregator'] }],
      bootstrap: [],
      issuedAtMs: 1
    })
    assert.equal(WIRE.Roster.decode(encoded, { limits: { members: 2 } }).members.length, 2)
    assert.throws(() => WIRE.Roster.decode(encoded, { limits: { members: 1 } }), { name: 'MalformedMessageError' })
    assert.throws(() => WIRE.Roster.decode(encoded, { limits: { members$: { roles: 1 } } }), { name: 'MalformedMessageError' })
  })

  it('enforces the ceilings compiled in from fedagg.proto without caller limits', () => {
    const eligible = Array.from({ length: 10_001 }, (_, i) => `p${i}`)
    const encoded = WIRE.RoundAnnouncement.encode({ federationId: 'f', roundId: 'r', nonce: new Uint8Array(0), aggregator: 'a', keyFingerprint: 'k', eligible, minParticipants: 1, deadlineMs: 1, rosterVersion: 1, openedAtMs: 0 })
    assert.throws(() => WIRE.RoundAnnouncement.decode(encoded), { name: 'MalformedMessageError' })
  })
})
