// Fuzzes openSignedMessage for every signed document kind: damaged envelopes and damaged signed payloads only ever yield typed errors.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { DOMAINS, WIRE } from '../../../protocol/messages/index.ts'
import type { SignedPayload, WireCodec, WireMessageName } from '../../../protocol/messages/index.ts'
import { openSignedMessage, signMessage, signPayload, verifySignedPayload } from '../../../protocol/signing/index.ts'
import { ENVELOPE_ERRORS, mutatedEnvelopes } from '../../helpers/fuzz-signed.ts'
import { expectTypedAsync, FUZZ_SEED, FUZZ_TEST_TIMEOUT_MS, fuzzRuns, hostileBytes, mutatedBytes, stopFuzzWatchdog } from '../../helpers/fuzz.ts'
import { messageArbitraries } from '../messages/arbitraries.ts'
import { testIdentities } from './identities.ts'
import type { TestIdentity } from './identities.ts'

const OPEN_ERRORS = [...ENVELOPE_ERRORS, 'MalformedMessageError', 'MessageTooLargeError']

/** Each signature domain with the message its payload must decode as. */
const DOCUMENTS: Array<{ domain: string, message: WireMessageName }> = [
  { domain: DOMAINS.roster, message: 'Roster' },
  { domain: DOMAINS.announcement, message: 'RoundAnnouncement' },
  { domain: DOMAINS.receipt, message: 'Receipt' },
  { domain: DOMAINS.transcript, message: 'Transcript' },
  { domain: DOMAINS.result, message: 'RoundResult' }
]

describe('protocol/signing sign (fuzz)', function () {
  this.timeout(FUZZ_TEST_TIMEOUT_MS)
  after(stopFuzzWatchdog)

  let author: TestIdentity
  let other: TestIdentity
  before(async () => {
    [author, other] = await testIdentities(2, 40) as [TestIdentity, TestIdentity]
  })

  it('verifySignedPayload: arbitrary envelopes (random strings as signers and domains) fail typed', async () => {
    const envelopes = messageArbitraries.SignedPayload as fc.Arbitrary<SignedPayload>
    await fc.assert(fc.asyncProperty(envelopes, fc.constantFrom(...DOCUMENTS), async (envelope, { domain }) => {
      const outcome = await expectTypedAsync('verifySignedPayload', ENVELOPE_ERRORS, async () => verifySignedPayload(envelope, domain))
      assert.ok(!outcome.ok, 'a random envelope carries no valid signature')
    }), fuzzRuns(200))
  })

  for (const { domain, message } of DOCUMENTS) {
    describe(domain, () => {
      const codec = WIRE[message] as WireCodec<unknown>

      it('damaged envelopes of a signed document fail typed; only the untouched one opens', async () => {
        // Signing is asynchronous, so a few documents are signed up front and the damage is generated.
        const originals = await Promise.all(fc.sample(messageArbitraries[message], { seed: FUZZ_SEED, numRuns: 8 }).map(async value => signMessage(author.privateKey, domain, codec, value)))
        const envelopes = fc.tuple(fc.constantFrom(...originals), fc.constantFrom(undefined, author.id)).chain(([original, expected]) =>
          mutatedEnvelopes(fc.constant(original), [other.id]).map(envelope => ({ original, envelope, expected })))
        await fc.assert(fc.asyncProperty(envelopes, async ({ original, envelope, expected }) => {
          const outcome = await expectTypedAsync('openSignedMessage', OPEN_ERRORS, async () => openSignedMessage(envelope, domain, codec, expected))
          if (outcome.ok) assert.deepEqual(envelope, original)
        }), fuzzRuns(60))
      })

      it('damaged payloads the author signed anyway decode or fail with MalformedMessageError', async () => {
        const payloads = fc.oneof(mutatedBytes(messageArbitraries[message].map(value => codec.encode(value))), hostileBytes(512))
        await fc.assert(fc.asyncProperty(payloads, async payload => {
          const envelope = await signPayload(author.privateKey, domain, payload)
          await expectTypedAsync('openSignedMessage', OPEN_ERRORS, async () => openSignedMessage(envelope, domain, codec, author.peerId))
        }), fuzzRuns(100))
      })
    })
  }
})
