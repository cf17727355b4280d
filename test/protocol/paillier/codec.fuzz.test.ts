// Fuzzes the ciphertext codec with the 2048-bit test key: any bytes decode exactly when 0 < c < n² at the right width, else a typed error.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { bytesToBigint, writeFixedWidth } from '../../../protocol/paillier/bytes.ts'
import { assertAllCoprimeToModulus, ciphertextByteLength, decodeCiphertext, decodeCiphertexts, encodeCiphertexts } from '../../../protocol/paillier/codec.ts'
import { applyMutation, concat, expectTyped, FUZZ_TEST_TIMEOUT_MS, fuzzRuns, stopFuzzWatchdog } from '../../helpers/fuzz.ts'
import type { Mutation } from '../../helpers/fuzz.ts'
import { testKey } from './fixtures.ts'

const DECODE_ERRORS = ['CiphertextWidthError', 'CiphertextOutOfRangeError']

describe('paillier/codec (fuzz)', function () {
  this.timeout(FUZZ_TEST_TIMEOUT_MS)
  after(stopFuzzWatchdog)

  const key = testKey(2048)
  const pk = key.publicKey
  const width = ciphertextByteLength(pk)
  const max = 2n ** BigInt(8 * width) - 1n

  /** What decoding one width-sized block must give: the value, or the range error. */
  function expected (c: bigint): string {
    return c > 0n && c < pk.nSquared ? 'ok' : 'CiphertextOutOfRangeError'
  }

  function outcomeName<T> (outcome: { ok: true, value: T } | { ok: false, error: Error }): string {
    return outcome.ok ? 'ok' : outcome.error.name
  }

  // The edges of (0, n²) and of the byte width, plus values anywhere in [0, 2^(8·width)).
  const edges = [0n, 1n, 2n, key.p, key.q, pk.n - 1n, pk.n, pk.n + 1n, pk.nSquared - 1n, pk.nSquared, pk.nSquared + 1n, max]
  const blockValue = fc.oneof(
    fc.constantFrom(...edges),
    fc.tuple(fc.constantFrom(...edges), fc.integer({ min: -1000, max: 1000 })).map(([edge, delta]) => edge + BigInt(delta)).filter(c => c >= 0n && c <= max),
    fc.bigInt({ min: 0n, max: pk.nSquared - 1n }),
    fc.bigInt({ min: 0n, max })
  )

  it('decodeCiphertext: random widths are CiphertextWidthError, never a partial read', () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 2 * width + 3 }),
      fc.integer({ min: 0, max: 4 * width }).map(length => new Uint8Array(length).fill(0xff))
    )
    fc.assert(fc.property(bytes, data => {
      const outcome = expectTyped('decodeCiphertext', DECODE_ERRORS, () => decodeCiphertext(pk, data))
      if (data.length !== width) assert.equal(outcomeName(outcome), 'CiphertextWidthError')
      else assert.equal(outcomeName(outcome), expected(bytesToBigint(data)))
    }), fuzzRuns(300))
  })

  it('decodeCiphertext: at the right width, exactly 0 < c < n² decodes (0, 1, n, n², all-0xff and neighbours)', () => {
    fc.assert(fc.property(blockValue, c => {
      const outcome = expectTyped('decodeCiphertext', DECODE_ERRORS, () => decodeCiphertext(pk, writeFixedWidth(c, width)))
      assert.equal(outcomeName(outcome), expected(c), `c = ${c.toString(16).slice(0, 20)}…`)
      if (outcome.ok) assert.equal(outcome.value, c)
    }), fuzzRuns(300))
  })

  it('decodeCiphertexts: mutated concatenations decode exactly when every block does', () => {
    const valid = fc.array(fc.bigInt({ min: 1n, max: pk.nSquared - 1n }), { maxLength: 4 }).map(cs => encodeCiphertexts(pk, cs))
    const mutation: fc.Arbitrary<Mutation> = fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
      fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.constantFrom(0x00, 0xff) }),
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 8 }), blockValue.map(c => writeFixedWidth(c, width))) }),
      fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: width }) }),
      fc.record({ kind: fc.constant('splice' as const), at: fc.nat(), from: fc.nat() })
    )
    const inputs = fc.tuple(valid, valid, fc.array(mutation, { minLength: 1, maxLength: 3 }))
      .map(([bytes, donor, list]) => list.reduce((out, m) => applyMutation(out, m, donor), bytes))
    const blocks = fc.array(blockValue, { maxLength: 4 }).map(cs => concat(...cs.map(c => writeFixedWidth(c, width))))
    fc.assert(fc.property(fc.oneof(inputs, blocks), data => {
      const outcome = expectTyped('decodeCiphertexts', DECODE_ERRORS, () => decodeCiphertexts(pk, data))
      if (data.length % width !== 0) {
        assert.equal(outcomeName(outcome), 'CiphertextWidthError')
        return
      }
      const values = Array.from({ length: data.length / width }, (_, i) => bytesToBigint(data, i * width, width))
      const bad = values.find(c => expected(c) !== 'ok')
      assert.equal(outcomeName(outcome), bad === undefined ? 'ok' : 'CiphertextOutOfRangeError')
      if (outcome.ok) assert.deepEqual(outcome.value, values)
    }), fuzzRuns(200))
  })

  it('assertAllCoprimeToModulus on decoded values: a typed refusal for multiples of p or q, and for out-of-range values', () => {
    const value = fc.oneof(blockValue, fc.tuple(fc.constantFrom(key.p, key.q), fc.bigInt({ min: 1n, max: pk.n })).map(([factor, k]) => factor * k))
    fc.assert(fc.property(value, c => {
      const outcome = expectTyped('assertAllCoprimeToModulus', ['CiphertextOutOfRangeError', 'CiphertextNotInvertibleError'], () => { assertAllCoprimeToModulus(pk, [c]) })
      const want = expected(c) !== 'ok' ? 'CiphertextOutOfRangeError' : c % key.p === 0n || c % key.q === 0n ? 'CiphertextNotInvertibleError' : 'ok'
      assert.equal(outcomeName(outcome), want)
    }), fuzzRuns(200))
  })
})
