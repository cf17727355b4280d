// Fuzzes every WIRE codec: random, mutated and protobuf-hostile bytes only ever yield MalformedMessageError, in bounded time.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { Uint8ArrayList } from 'uint8arraylist'
import { WIRE } from '../../../protocol/messages/index.ts'
import type { WireCodec, WireDecodeOptions, WireMessageName } from '../../../protocol/messages/index.ts'
import { expectTyped, FUZZ_TEST_TIMEOUT_MS, fuzzRuns, hostileBytes, mutatedBytes, stopFuzzWatchdog } from '../../helpers/fuzz.ts'
import { messageArbitraries } from './arbitraries.ts'

const MALFORMED = ['MalformedMessageError', 'MessageTooLargeError']
const names = Object.keys(WIRE) as WireMessageName[]

function codecOf (name: WireMessageName): WireCodec<unknown> {
  return WIRE[name] as WireCodec<unknown>
}

function validEncodings (name: WireMessageName): fc.Arbitrary<Uint8Array> {
  return messageArbitraries[name].map(value => codecOf(name).encode(value))
}

/**
 * Decodes `data` and checks the contract: a value or MalformedMessageError within the time bound.
 * A decoded value must also be something the encoder accepts, and one encode/decode cycle must
 * reach a fixed point, or the rest of fedagg could be handed a value it cannot store or forward.
 */
function decodeChecked (name: WireMessageName, data: Uint8Array | Uint8ArrayList, options?: WireDecodeOptions<unknown>): boolean {
  const codec = codecOf(name)
  const outcome = expectTyped(`WIRE.${name}.decode`, MALFORMED, () => codec.decode(data, options))
  if (!outcome.ok) return false
  const once = codec.encode(outcome.value)
  assert.deepEqual(codec.encode(codec.decode(once)), once, `${name}: re-encoding a decoded value is not stable`)
  return true
}

/** Repeated fields with a ceiling in fedagg.proto, a message with `count` elements in it, and the caller limit naming it. */
const REPEATED: Array<{ message: WireMessageName, field: string, ceiling: number, build: (count: number) => unknown, limits: (max: number) => object }> = [
  { message: 'Roster', field: 'members', ceiling: 10_000, build: count => ({ members: Array.from({ length: count }, () => ({ peerId: 'p', name: '', roles: [] })) }), limits: max => ({ members: max }) },
  { message: 'Roster', field: 'bootstrap', ceiling: 64, build: count => ({ bootstrap: Array<string>(count).fill('/ip4/1.2.3.4/tcp/1') }), limits: max => ({ bootstrap: max }) },
  { message: 'Roster', field: 'members.roles', ceiling: 8, build: count => ({ members: [{ peerId: 'p', name: '', roles: Array<string>(count).fill('client') }] }), limits: max => ({ members$: { roles: max } }) },
  { message: 'RosterMember', field: 'roles', ceiling: 8, build: count => ({ roles: Array<string>(count).fill('client') }), limits: max => ({ roles: max }) },
  { message: 'RoundAnnouncement', field: 'eligible', ceiling: 10_000, build: count => ({ eligible: Array<string>(count).fill('p') }), limits: max => ({ eligible: max }) },
  { message: 'Transcript', field: 'contributors', ceiling: 10_000, build: count => ({ contributors: Array.from({ length: count }, () => ({ client: 'c', digest: new Uint8Array(0), index: 1 })) }), limits: max => ({ contributors: max }) },
  { message: 'PeerDirectoryRequest', field: 'peerIds', ceiling: 1024, build: count => ({ peerIds: Array<string>(count).fill('p') }), limits: max => ({ peerIds: max }) },
  { message: 'PeerAddresses', field: 'multiaddrs', ceiling: 16, build: count => ({ multiaddrs: Array<string>(count).fill('/ip4/1.2.3.4/tcp/1') }), limits: max => ({ multiaddrs: max }) },
  { message: 'PeerDirectory', field: 'peers', ceiling: 1024, build: count => ({ peers: Array.from({ length: count }, () => ({ peerId: 'p', multiaddrs: [] })) }), limits: max => ({ peers: max }) },
  { message: 'PeerDirectory', field: 'peers.multiaddrs', ceiling: 16, build: count => ({ peers: [{ peerId: 'p', multiaddrs: Array<string>(count).fill('/m') }] }), limits: max => ({ peers$: { multiaddrs: max } }) },
  { message: 'OpenRoundsResponse', field: 'announcements', ceiling: 1024, build: count => ({ announcements: Array.from({ length: count }, () => ({ domain: 'd', payload: new Uint8Array(0), signer: 's', signature: new Uint8Array(0) })) }), limits: max => ({ announcements: max }) }
]

describe('protocol/messages codec (fuzz)', function () {
  this.timeout(FUZZ_TEST_TIMEOUT_MS)
  after(stopFuzzWatchdog)

  for (const name of names) {
    describe(name, () => {
      it('random bytes and protobuf-hostile fragments decode or yield MalformedMessageError', () => {
        fc.assert(fc.property(hostileBytes(), data => { decodeChecked(name, data) }), fuzzRuns(200))
      })

      it('mutated valid encodings (bit flips, truncation, extension, splicing, duplication) decode or yield MalformedMessageError', () => {
        fc.assert(fc.property(mutatedBytes(validEncodings(name)), data => { decodeChecked(name, data) }), fuzzRuns(300))
      })

      it('a caller maxDataLength refuses exactly the longer inputs, before parsing', () => {
        const codec = codecOf(name)
        const inputs = fc.oneof(validEncodings(name), mutatedBytes(validEncodings(name)))
        fc.assert(fc.property(inputs, fc.nat(), fc.boolean(), (data, slack, asList) => {
          const limit = slack % (data.length + 2)
          const input = asList ? new Uint8ArrayList(data.subarray(0, data.length >> 1), data.subarray(data.length >> 1)) : data
          const outcome = expectTyped(`WIRE.${name}.decode`, MALFORMED, () => codec.decode(input, { maxDataLength: limit }))
          if (data.length > limit) {
            assert.ok(!outcome.ok && outcome.error.name === 'MessageTooLargeError', `${name}: ${data.length} bytes over a ${limit}-byte limit must be MessageTooLargeError`)
          } else {
            // Within the limit the answer is the same as without one (a caller's maxDataLength replaces
            // the codec's default, it may be larger: FramedStream is what clamps it to the default).
            const unlimited = expectTyped(`WIRE.${name}.decode`, MALFORMED, () => codec.decode(data, { maxDataLength: Number.MAX_SAFE_INTEGER }))
            assert.equal(outcome.ok, unlimited.ok)
          }
        }), fuzzRuns(100))
      })
    })
  }

  describe('repeated-field limits', () => {
    for (const { message, field, ceiling, build, limits } of REPEATED) {
      it(`${message}.${field}: the compiled ceiling of ${ceiling} holds without caller limits`, () => {
        const codec = codecOf(message)
        assert.equal(decodeChecked(message, codec.encode(build(ceiling))), true)
        const over = expectTyped(`WIRE.${message}.decode`, MALFORMED, () => codec.decode(codec.encode(build(ceiling + 1))))
        assert.equal(over.ok ? 'decoded' : over.error.name, 'MalformedMessageError')
      })

      it(`${message}.${field}: a caller limit refuses exactly the longer lists`, () => {
        const codec = codecOf(message)
        fc.assert(fc.property(fc.integer({ min: 0, max: Math.min(ceiling, 200) }), fc.integer({ min: 0, max: Math.min(ceiling, 200) }), (count, max) => {
          const encoded = codec.encode(build(count))
          const ok = decodeChecked(message, encoded, { limits: limits(max) })
          assert.equal(ok, count <= max, `${count} elements under a limit of ${max}`)
        }), fuzzRuns(40))
      })
    }
  })
})
