// Fuzzes parsePeerId: random and damaged peer ID strings parse to the same canonical Ed25519 ID or fail with InvalidPeerIdError.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { parsePeerId } from '../../../protocol/signing/index.ts'
import { expectTyped, FUZZ_TEST_TIMEOUT_MS, fuzzRuns, mutatedText, stopFuzzWatchdog } from '../../helpers/fuzz.ts'
import { testIdentities } from './identities.ts'

describe('protocol/signing peer-id (fuzz)', function () {
  this.timeout(FUZZ_TEST_TIMEOUT_MS)
  after(stopFuzzWatchdog)

  let ids: string[]
  before(async () => {
    ids = (await testIdentities(3, 60)).map(identity => identity.id)
  })

  it('random, damaged and foreign-format peer IDs parse canonically or fail with InvalidPeerIdError', () => {
    const base58 = fc.string({ unit: fc.constantFrom(...'123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'), maxLength: 70 })
    const inputs = fc.oneof(
      fc.string({ maxLength: 140 }),
      base58,
      base58.map(text => `12D3KooW${text}`),
      mutatedText(fc.constantFrom(...ids), { maxMutations: 2 }),
      fc.constantFrom(
        'QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N', // RSA-style (sha256 multihash)
        'bafzaajaiaejcb6c3yy3n3y7wgmhyy6pcc7nnbjwlnc4fthhpmxllc3ilk7kxwpjc', // CID spelling
        '16Uiu2HAkwkNU1RnovhzFQkRPaBNS8EQtbZV5g73N4rj4Ek8qF8Cz', // secp256k1
        '', ' ', '\u0000', 'z'.repeat(129), '1'.repeat(100_000)
      )
    )
    fc.assert(fc.property(inputs, text => {
      const outcome = expectTyped('parsePeerId', ['InvalidPeerIdError'], () => parsePeerId(text))
      if (outcome.ok) {
        assert.equal(outcome.value.type, 'Ed25519')
        assert.equal(outcome.value.toString(), text)
      }
    }), fuzzRuns(400))
  })
})
