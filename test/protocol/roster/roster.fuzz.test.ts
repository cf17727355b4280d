// Fuzzes validateRoster on decoded rosters: near-valid and hostile contents pass every rule or fail with a typed roster error.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { WIRE } from '../../../protocol/messages/index.ts'
import type { Roster } from '../../../protocol/messages/index.ts'
import { validateRoster } from '../../../protocol/roster/index.ts'
import { expectTyped, FUZZ_TEST_TIMEOUT_MS, fuzzRuns, mutatedBytes, stopFuzzWatchdog } from '../../helpers/fuzz.ts'
import { messageArbitraries } from '../messages/arbitraries.ts'
import { testIdentities } from '../signing/identities.ts'
import { assertRosterInvariants, nearValidRosters, ROSTER_ERRORS } from './arbitraries.ts'

function validateChecked (roster: Roster): void {
  const outcome = expectTyped('validateRoster', ROSTER_ERRORS, () => validateRoster(roster))
  if (outcome.ok) assertRosterInvariants(outcome.value)
}

describe('protocol/roster roster (fuzz)', function () {
  this.timeout(FUZZ_TEST_TIMEOUT_MS)
  after(stopFuzzWatchdog)

  let peerIds: string[]
  before(async () => {
    peerIds = (await testIdentities(4)).map(identity => identity.id)
  })

  it('near-valid rosters pass every rule or fail with a typed roster error', () => {
    let accepted = 0
    fc.assert(fc.property(nearValidRosters(peerIds), roster => {
      const outcome = expectTyped('validateRoster', ROSTER_ERRORS, () => validateRoster(roster))
      if (outcome.ok) {
        assertRosterInvariants(outcome.value)
        accepted++
      }
    }), fuzzRuns(400))
    // Some inputs must get through, or the generator only ever exercises the first check.
    assert.ok(accepted > 0, 'no generated roster was valid')
  })

  it('rosters decoded from arbitrary and mutated encodings pass or fail typed', () => {
    const encodable = (value: number): boolean => Number.isSafeInteger(value) && value >= 0
    const valid = nearValidRosters(peerIds).filter(roster => encodable(roster.version) && encodable(roster.issuedAtMs)).map(roster => WIRE.Roster.encode(roster))
    const decoded = fc.oneof(messageArbitraries.Roster.map(value => WIRE.Roster.encode(value as Roster)), mutatedBytes(valid))
      .map(bytes => { try { return WIRE.Roster.decode(bytes) } catch { return undefined } })
      .filter((roster): roster is Roster => roster !== undefined)
    fc.assert(fc.property(decoded, validateChecked), fuzzRuns(300))
  })
})
