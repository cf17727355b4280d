// Fuzzes verifyRoster: damaged envelopes, and damaged rosters the coordinator signed anyway, only ever yield typed errors.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { DOMAINS, WIRE } from '../../../protocol/messages/index.ts'
import type { Roster, SignedPayload } from '../../../protocol/messages/index.ts'
import { addMember, createGenesisRoster, signRoster, verifyRoster } from '../../../protocol/roster/index.ts'
import { signPayload } from '../../../protocol/signing/index.ts'
import { ENVELOPE_ERRORS, mutatedEnvelopes } from '../../helpers/fuzz-signed.ts'
import { expectTypedAsync, FUZZ_TEST_TIMEOUT_MS, fuzzRuns, mutatedBytes, stopFuzzWatchdog } from '../../helpers/fuzz.ts'
import { testIdentities } from '../signing/identities.ts'
import type { TestIdentity } from '../signing/identities.ts'
import { assertRosterInvariants, nearValidRosters, ROSTER_ERRORS } from './arbitraries.ts'

const VERIFY_ERRORS = [...ENVELOPE_ERRORS, 'MalformedMessageError', 'MessageTooLargeError', ...ROSTER_ERRORS]

describe('protocol/roster signed (fuzz)', function () {
  this.timeout(FUZZ_TEST_TIMEOUT_MS)
  after(stopFuzzWatchdog)

  let coordinator: TestIdentity
  let alice: TestIdentity
  let mallory: TestIdentity
  let roster: Roster
  let signed: SignedPayload
  let mallorySignature: Uint8Array

  before(async () => {
    [coordinator, alice, mallory] = await testIdentities(3) as [TestIdentity, TestIdentity, TestIdentity]
    const genesis = createGenesisRoster({ federationId: 'acme', coordinator: coordinator.id, bootstrap: [`/ip4/127.0.0.1/tcp/4001/p2p/${coordinator.id}`], issuedAtMs: 1 })
    roster = addMember(genesis, { peerId: alice.id, name: 'Alice', roles: ['client', 'aggregator'] }, 2)
    signed = await signRoster(coordinator.privateKey, roster)
    // A genuine signature over the same bytes by someone else: valid Ed25519, wrong signer.
    mallorySignature = (await signPayload(mallory.privateKey, DOMAINS.roster, signed.payload)).signature
  })

  /** Who the caller expects: nobody in particular, the coordinator (as PeerId or string), or someone else. */
  const expectation = (): fc.Arbitrary<string | TestIdentity['peerId'] | undefined> =>
    fc.constantFrom(undefined, coordinator.peerId, coordinator.id, mallory.id, alice.peerId)

  it('damaged envelopes (domain, payload, signer, signature) fail with a typed error, never verify changed', async () => {
    const envelopes = mutatedEnvelopes(fc.constant(signed), [alice.id, mallory.id, coordinator.id], [mallorySignature])
    await fc.assert(fc.asyncProperty(envelopes, expectation(), async (envelope, expected) => {
      const outcome = await expectTypedAsync('verifyRoster', VERIFY_ERRORS, async () => verifyRoster(envelope, expected))
      if (outcome.ok) {
        // Only an envelope identical to the original may verify (Ed25519 signatures are not malleable here).
        assert.deepEqual(envelope, signed)
        assert.deepEqual(outcome.value, roster)
      }
    }), fuzzRuns(300))
  })

  it('damaged or arbitrary rosters signed by the coordinator fail with a typed decode or roster error', async () => {
    const payloads = fc.oneof(
      mutatedBytes(fc.constant(signed.payload)),
      nearValidRosters([coordinator.id, alice.id, mallory.id])
        .filter(r => Number.isSafeInteger(r.version) && r.version >= 0 && Number.isSafeInteger(r.issuedAtMs) && r.issuedAtMs >= 0)
        .map(r => WIRE.Roster.encode(r))
    )
    let accepted = 0
    await fc.assert(fc.asyncProperty(payloads, async payload => {
      const envelope = await signPayload(coordinator.privateKey, DOMAINS.roster, payload)
      const outcome = await expectTypedAsync('verifyRoster', VERIFY_ERRORS, async () => verifyRoster(envelope, coordinator.id))
      if (outcome.ok) {
        assertRosterInvariants(outcome.value)
        assert.equal(outcome.value.coordinator, coordinator.id, 'a verified roster names its signer as coordinator')
        accepted++
      }
    }), fuzzRuns(300))
    assert.ok(accepted > 0, 'no signed roster was accepted: the generator never reaches the end of verification')
  })
})
