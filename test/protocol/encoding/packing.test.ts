// Tests packing plans, pack/unpack round trips at the slot edges, decoding, and corruption detection.
//
// Summing plaintexts stands in for multiplying ciphertexts here: the plan keeps
// every sum below 2^(k−2) < n, so addition under encryption (mod n) is plain addition.
// test/protocol/aggregate/fold.test.ts repeats the round trip through real encryption.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { checkTagSlots, decodeAggregate, encodeAndPack, planPacking, unpackAggregate, withTags } from '../../../protocol/encoding/packing.ts'
import type { PackingPlan } from '../../../protocol/encoding/packing.ts'
import type { VectorSpec } from '../../../protocol/encoding/spec.ts'

const KEY_SIZES = [2048, 3072] as const

function sumPlaintexts (submissions: readonly bigint[][]): bigint[] {
  const first = submissions[0]
  assert.ok(first !== undefined)
  return first.map((_, c) => submissions.reduce((sum, plaintexts) => sum + plaintexts[c]!, 0n))
}

/** Asserts that `fn` throws CorruptAggregateError for `slot` and `check`. */
function assertCorrupt (fn: () => unknown, slot: number, check: string): void {
  assert.throws(fn, (err: Error & { slot?: number, check?: string }) => {
    assert.equal(err.name, 'CorruptAggregateError')
    assert.equal(err.check, check)
    assert.equal(err.slot, slot)
    assert.match(err.message, new RegExp(`^slot ${slot} failed ${check} check: expected`))
    return true
  })
}

/** Flips bit `bit` of slot `slot` in a packed aggregate. */
function flipBit (plan: PackingPlan, plaintexts: readonly bigint[], slot: number, bit: number): bigint[] {
  const c = Math.floor(slot / plan.slotsPerCiphertext)
  const position = BigInt(plan.tagSlotBits + (slot % plan.slotsPerCiphertext) * plan.slotBits + bit)
  return plaintexts.map((p, i) => i === c ? p ^ (1n << position) : p)
}

const int32: VectorSpec = { length: 1000, encoding: { kind: 'int', bits: 32 }, maxParticipants: 16 }

/** A random int spec, weighted or not, that fits both key sizes. */
const intSpecArb: fc.Arbitrary<VectorSpec> = fc.record({
  length: fc.integer({ min: 1, max: 150 }),
  bits: fc.integer({ min: 1, max: 62 }),
  maxParticipants: fc.integer({ min: 1, max: 100_000 }),
  weightBits: fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined })
}).map(({ length, bits, maxParticipants, weightBits }) => ({
  length, encoding: { kind: 'int', bits }, maxParticipants, ...(weightBits === undefined ? {} : { weightBits })
}))

/** Up to `maxClients` clients for `spec`, each a vector of bigints in range and a weight. */
function clientsArb (spec: VectorSpec, plan: PackingPlan, maxClients: number): fc.Arbitrary<Array<{ values: bigint[], weight: bigint | undefined }>> {
  const client = fc.record({
    values: fc.array(fc.bigInt({ min: 0n, max: plan.maxValue }), { minLength: spec.length, maxLength: spec.length }),
    weight: plan.maxWeight === undefined ? fc.constant(undefined) : fc.bigInt({ min: 1n, max: plan.maxWeight })
  })
  return fc.array(client, { minLength: 1, maxLength: Math.min(maxClients, spec.maxParticipants) })
}

describe('protocol/encoding/packing', () => {
  describe('planPacking', () => {
    it('int:32, 16 participants, 1000 values at 2048 bits: 37-bit slots, 53 per ciphertext beside a 69-bit tag slot', () => {
      const plan = planPacking(int32, 2048)
      // (2046 − 69) / 37 = 53.4: the tag slot costs 2 of the 55 value slots a plaintext held without it.
      assert.deepEqual(
        [plan.valueBits, plan.headroomBits, plan.slotBits, plan.tagSlotBits, plan.slotsPerCiphertext, plan.totalSlots, plan.ciphertexts, plan.ciphertextBytes, plan.bytesOnWire, plan.bytesPerValue],
        [32, 4, 37, 69, 53, 1001, 19, 512, 9728, 9.728]
      )
      assert.equal(plan.countSlot, 1000)
      assert.equal(plan.weightSlot, undefined)
    })

    it('int:32, 16 participants, 1000 values at 3072 bits: 81 slots per ciphertext', () => {
      const plan = planPacking(int32, 3072)
      assert.deepEqual(
        [plan.slotBits, plan.slotsPerCiphertext, plan.ciphertexts, plan.ciphertextBytes, plan.bytesOnWire, plan.bytesPerValue],
        [37, 81, 13, 768, 9984, 9.984]
      )
    })

    it('widens value slots by weightBits and adds a weight slot when weighted', () => {
      const plan = planPacking({ ...int32, weightBits: 16 }, 2048)
      assert.equal(plan.valueBits, 48) // bitLength((2^32 − 1)(2^16 − 1))
      assert.equal(plan.slotBits, 53)
      assert.equal(plan.maxWeight, 65535n)
      assert.equal(plan.totalSlots, 1002)
      assert.equal(plan.weightSlot, 1001)
    })

    it('sizes fixed slots from 2·ceil(C·2^f)', () => {
      const plan = planPacking({ length: 4, encoding: { kind: 'fixed', fractionBits: 16, clip: 1 }, maxParticipants: 1000 }, 2048)
      assert.equal(plan.maxValue, 131072n)
      assert.equal(plan.valueBits, 18)
      assert.equal(plan.headroomBits, 10)
      assert.equal(plan.slotBits, 29)
    })

    it('uses ceil(log2 P) exactly: P = 1, 2, 16, 17', () => {
      const headroom = (maxParticipants: number): number => planPacking({ ...int32, maxParticipants }, 2048).headroomBits
      assert.deepEqual([1, 2, 16, 17].map(headroom), [0, 1, 4, 5])
    })

    it('refuses a slot that does not fit in k − 2 bits beside the tag slot, and a bad key size', () => {
      const wide: VectorSpec = { length: 1, encoding: { kind: 'int', bits: 62 }, maxParticipants: 2 }
      assert.equal(planPacking(wide, 132).slotsPerCiphertext, 1) // 66-bit tag slot + (62 + 1 + 1) = 130 = 132 − 2
      assert.throws(() => planPacking(wide, 131), { name: 'InvalidVectorSpecError', message: /^packing: expected a 64-bit slot/ })
      assert.throws(() => planPacking(int32, 2048.5), { name: 'InvalidVectorSpecError', message: /^keyBits/ })
      assert.throws(() => planPacking({ ...int32, length: 0 }, 2048), { name: 'InvalidVectorSpecError', message: /^length/ })
    })
  })

  describe('encodeAndPack', () => {
    const plan = planPacking({ ...int32, length: 3 }, 2048)
    const spec = { ...int32, length: 3 }

    it('packs slot j of a plaintext at bit tagSlotBits + j·slotBits, then the count slot, leaving the tag slot to withTags', () => {
      assert.deepEqual(encodeAndPack(spec, plan, [5, 0, 7]), [(5n << 69n) | (7n << 143n) | (1n << 180n)])
      assert.deepEqual(withTags(plan, encodeAndPack(spec, plan, [5, 0, 7]), [2n ** 64n - 1n]), [(5n << 69n) | (7n << 143n) | (1n << 180n) | (2n ** 64n - 1n)])
      assert.throws(() => withTags(plan, [0n], [2n ** 64n]), { name: 'InvalidVectorSpecError' })
    })

    it('checks tag slots against the expected sums, naming only the ciphertext', () => {
      const tagged = withTags(plan, encodeAndPack(spec, plan, [5, 0, 7]), [123_456_789n])
      assert.doesNotThrow(() => checkTagSlots(plan, tagged, [123_456_789n]))
      assert.throws(() => checkTagSlots(plan, tagged, [123_456_788n]), (err: Error & { ciphertext?: number }) => {
        assert.equal(err.name, 'TagCheckError')
        assert.equal(err.ciphertext, 0)
        assert.ok(!/123456/.test(err.message), err.message)
        return true
      })
    })

    it('refuses a wrong length with VectorLengthError', () => {
      assert.throws(() => encodeAndPack(spec, plan, [1, 2]), { name: 'VectorLengthError', message: 'expected 3 values, got 2' })
    })

    it('refuses out-of-range, non-integer and NaN int values naming the index', () => {
      for (const [bad, index] of [[2 ** 32, 0], [-1, 1], [0.5, 2], [Number.NaN, 1], [2n ** 32n, 2]] as const) {
        const values = [1, 1, 1] as Array<number | bigint>
        values[index] = bad
        assert.throws(() => encodeAndPack(spec, plan, values as number[]), (err: Error & { index?: number }) => {
          assert.equal(err.name, 'ValueOutOfRangeError')
          assert.equal(err.index, index)
          assert.match(err.message, new RegExp(`^value ${index}: expected an integer in \\[0, 2\\^32\\)`))
          return true
        })
      }
    })

    it('refuses NaN and ±Infinity for fixed naming the index', () => {
      const fixedSpec: VectorSpec = { length: 3, encoding: { kind: 'fixed', fractionBits: 8, clip: 1 }, maxParticipants: 4 }
      const fixedPlan = planPacking(fixedSpec, 2048)
      assert.throws(() => encodeAndPack(fixedSpec, fixedPlan, [0, -Infinity, 0]), { name: 'NonFiniteValueError', index: 1 })
      assert.throws(() => encodeAndPack(fixedSpec, fixedPlan, [0, 0, Number.NaN]), { name: 'NonFiniteValueError', index: 2 })
    })

    it('requires a weight in [1, 2^weightBits) exactly when the spec is weighted', () => {
      const weighted = { ...spec, weightBits: 4 }
      const weightedPlan = planPacking(weighted, 2048)
      for (const weight of [undefined, 0, 16, 1.5, 16n]) {
        assert.throws(() => encodeAndPack(weighted, weightedPlan, [1, 2, 3], weight), { name: 'InvalidWeightError', message: /^weight: expected an integer in \[1, 2\^4\)/ })
      }
      assert.throws(() => encodeAndPack(spec, plan, [1, 2, 3], 1), { name: 'InvalidWeightError', message: /^weight: expected none/ })
    })

    it('refuses a plan derived from another spec', () => {
      assert.throws(() => encodeAndPack({ ...spec, maxParticipants: 17 }, plan, [1, 2, 3]), { name: 'InvalidVectorSpecError', message: /^plan\.slotBits/ })
    })

    it('keeps every plaintext below 2^(k−2), at both key sizes (property)', () => {
      for (const keyBits of KEY_SIZES) {
        fc.assert(fc.property(intSpecArb.chain(s => {
          const p = planPacking(s, keyBits)
          return fc.tuple(fc.constant(s), fc.constant(p), clientsArb(s, p, 1))
        }), ([s, p, [client]]) => {
          for (const plaintext of encodeAndPack(s, p, client!.values, client!.weight)) {
            assert.ok(plaintext >= 0n && plaintext < 1n << BigInt(keyBits - 2))
          }
        }), { numRuns: 50 })
      }
    })
  })

  describe('unpack(pack(v)) = v', () => {
    for (const keyBits of KEY_SIZES) {
      it(`at the edges, ${keyBits}-bit key: zeros, max values, and maxParticipants max values summed`, () => {
        for (const spec of [
          int32,
          { ...int32, maxParticipants: 1 },
          { ...int32, maxParticipants: 1000, weightBits: 20 },
          { length: 77, encoding: { kind: 'int', bits: 62 }, maxParticipants: 3 },
          { length: 5, encoding: { kind: 'int', bits: 1 }, maxParticipants: 2 ** 20 }
        ] satisfies VectorSpec[]) {
          const plan = planPacking(spec, keyBits)
          const maxWeight = plan.maxWeight
          const zeros = new Array<bigint>(spec.length).fill(0n)
          const maxes = new Array<bigint>(spec.length).fill(plan.maxValue)
          assert.deepEqual(unpackAggregate(plan, encodeAndPack(spec, plan, zeros, maxWeight === undefined ? undefined : 1n)),
            [...zeros, 1n, ...(maxWeight === undefined ? [] : [1n])])
          const one = encodeAndPack(spec, plan, maxes, maxWeight)
          const wMax = maxWeight ?? 1n
          assert.deepEqual(unpackAggregate(plan, one), [...maxes.map(v => v * wMax), 1n, ...(maxWeight === undefined ? [] : [wMax])])
          // P max-valued contributions: the largest legitimate aggregate. Sum by scaling, since P may be 2^20.
          const P = BigInt(spec.maxParticipants)
          const full = one.map(p => p * P)
          assert.deepEqual(unpackAggregate(plan, full), [...maxes.map(v => v * wMax * P), P, ...(maxWeight === undefined ? [] : [wMax * P])])
        }
      })

      it(`for random specs and clients, ${keyBits}-bit key (property)`, () => {
        fc.assert(fc.property(intSpecArb.chain(spec => {
          const plan = planPacking(spec, keyBits)
          return fc.tuple(fc.constant(spec), fc.constant(plan), clientsArb(spec, plan, 12))
        }), ([spec, plan, clients]) => {
          const aggregate = sumPlaintexts(clients.map(c => encodeAndPack(spec, plan, c.values, c.weight)))
          const slots = unpackAggregate(plan, aggregate)
          const weights = clients.map(c => c.weight ?? 1n)
          const expected = Array.from({ length: spec.length }, (_, i) => clients.reduce((s, c, j) => s + c.values[i]! * weights[j]!, 0n))
          const weightSum = weights.reduce((a, b) => a + b, 0n)
          assert.deepEqual(slots, [...expected, BigInt(clients.length), ...(spec.weightBits === undefined ? [] : [weightSum])])

          const decoded = decodeAggregate(spec, plan, slots)
          assert.equal(decoded.kind, 'int')
          assert.equal(decoded.count, clients.length)
          assert.deepEqual(decoded.sum, expected)
          assert.equal(decoded.weightSum, spec.weightBits === undefined ? undefined : weightSum)
          assert.deepEqual(decoded.mean, expected.map(s => Number(s) / Number(weightSum)))
        }), { numRuns: 60 })
      })
    }
  })

  describe('decodeAggregate', () => {
    it('reproduces the reference: five clients [i, i+1], i = 0..4, sum to [10, 15]', () => {
      const spec: VectorSpec = { length: 2, encoding: { kind: 'int', bits: 32 }, maxParticipants: 5 }
      const plan = planPacking(spec, 2048)
      const aggregate = sumPlaintexts([0, 1, 2, 3, 4].map(i => encodeAndPack(spec, plan, [i, i + 1])))
      const decoded = decodeAggregate(spec, plan, unpackAggregate(plan, aggregate))
      assert.deepEqual(decoded, { kind: 'int', count: 5, sum: [10n, 15n], mean: [2, 3] })
    })

    it('returns no mean for an empty aggregate (count 0)', () => {
      const spec: VectorSpec = { length: 2, encoding: { kind: 'fixed', fractionBits: 4, clip: 1 }, maxParticipants: 5 }
      const plan = planPacking(spec, 2048)
      assert.deepEqual(decodeAggregate(spec, plan, unpackAggregate(plan, [0n])), { kind: 'fixed', count: 0, sum: [0, 0] })
    })

    it('refuses a wrong slot count', () => {
      const plan = planPacking(int32, 2048)
      assert.throws(() => decodeAggregate(int32, plan, [1n]), { name: 'VectorLengthError' })
    })

    // Values are multiples of 2^−30 below 2^10 (f <= 30), and even weighted sums of 20 stay below
    // 2^53 units of 2^−30, so the JS float sums and the decoded doubles are exact here and the
    // bound is checked without float slack.
    const DYADIC = 2 ** 30
    const fixedCase = fc.record({
      fractionBits: fc.integer({ min: 0, max: 30 }),
      clip: fc.double({ min: 0.01, max: 1000, noNaN: true }),
      length: fc.integer({ min: 1, max: 20 }),
      clients: fc.integer({ min: 1, max: 20 }),
      keyBits: fc.constantFrom(...KEY_SIZES)
    }).chain(c => fc.tuple(
      fc.constant(c),
      fc.array(fc.array(fc.bigInt({ min: -BigInt(Math.floor(c.clip * DYADIC)), max: BigInt(Math.floor(c.clip * DYADIC)) }).map(k => Number(k) / DYADIC),
        { minLength: c.length, maxLength: c.length }), { minLength: c.clients, maxLength: c.clients })
    ))

    it('fixed sums are within N·2^−(f+1) of the float sums (property)', () => {
      fc.assert(fc.property(fixedCase, ([c, vectors]) => {
        const spec: VectorSpec = { length: c.length, encoding: { kind: 'fixed', fractionBits: c.fractionBits, clip: c.clip }, maxParticipants: c.clients }
        const plan = planPacking(spec, c.keyBits)
        const aggregate = sumPlaintexts(vectors.map(v => encodeAndPack(spec, plan, v)))
        const decoded = decodeAggregate(spec, plan, unpackAggregate(plan, aggregate))
        assert.equal(decoded.count, c.clients)
        const bound = c.clients * 2 ** -(c.fractionBits + 1)
        for (let i = 0; i < c.length; i++) {
          const floatSum = vectors.reduce((s, v) => s + v[i]!, 0)
          assert.ok(Math.abs((decoded.sum[i] as number) - floatSum) <= bound,
            `value ${i}: |${decoded.sum[i]} − ${floatSum}| > ${bound}`)
        }
      }), { numRuns: 200 })
    })

    it('fixed weighted means are within 2^−(f+1) of Σ w·x / Σ w (property)', () => {
      fc.assert(fc.property(fixedCase, fc.array(fc.integer({ min: 1, max: 255 }), { minLength: 20, maxLength: 20 }), ([c, vectors], weights) => {
        const spec: VectorSpec = { length: c.length, encoding: { kind: 'fixed', fractionBits: c.fractionBits, clip: c.clip }, maxParticipants: c.clients, weightBits: 8 }
        const plan = planPacking(spec, c.keyBits)
        const aggregate = sumPlaintexts(vectors.map((v, j) => encodeAndPack(spec, plan, v, weights[j])))
        const decoded = decodeAggregate(spec, plan, unpackAggregate(plan, aggregate))
        const weightSum = weights.slice(0, c.clients).reduce((a, b) => a + b, 0)
        assert.equal(decoded.weightSum, BigInt(weightSum))
        for (let i = 0; i < c.length; i++) {
          const weighted = vectors.reduce((s, v, j) => s + weights[j]! * v[i]!, 0)
          // Σ w·x and Σ w·q/2^f are exact doubles here (< 2^53 units of 2^−30); each mean rounds once.
          assert.ok(Math.abs((decoded.sum[i] as number) - weighted) <= weightSum * 2 ** -(c.fractionBits + 1))
          const mean = decoded.mean![i]!
          assert.ok(Math.abs(mean - weighted / weightSum) <= 2 ** -(c.fractionBits + 1) * (1 + 1e-12) + Math.abs(mean) * Number.EPSILON)
        }
      }), { numRuns: 100 })
    })

    it('fixed: clipping, the offset ceil(C·2^f) for a clip off the grid, and an exact example', () => {
      const spec: VectorSpec = { length: 3, encoding: { kind: 'fixed', fractionBits: 4, clip: 0.1 }, maxParticipants: 3 }
      const plan = planPacking(spec, 2048)
      const aggregate = sumPlaintexts([[0.1, -5, 0.0625], [-0.1, -0.1, 0.0625], [1e9, 0, -0.0625]].map(v => encodeAndPack(spec, plan, v)))
      const decoded = decodeAggregate(spec, plan, unpackAggregate(plan, aggregate))
      // q = round(0.1·16) = 2 for ±0.1 (and clipped outliers), q = 1 for ±0.0625.
      assert.deepEqual(decoded.sum, [2 / 16, -4 / 16, 1 / 16])
    })
  })

  describe('corruption detection', () => {
    const spec: VectorSpec = { length: 60, encoding: { kind: 'int', bits: 32 }, maxParticipants: 16 }

    for (const keyBits of KEY_SIZES) {
      it(`maxParticipants + 1 max-valued contributions trip slot 0's guard bit (${keyBits}-bit key)`, () => {
        const plan = planPacking(spec, keyBits)
        const one = encodeAndPack(spec, plan, new Array<bigint>(60).fill(plan.maxValue))
        assert.doesNotThrow(() => unpackAggregate(plan, one.map(p => p * 16n)))
        assertCorrupt(() => unpackAggregate(plan, one.map(p => p * 17n)), 0, 'guard-bit')
      })
    }

    it('with maxParticipants not a power of two, an extra contribution trips the count check', () => {
      const spec10 = { ...spec, maxParticipants: 10 }
      const plan = planPacking(spec10, 2048)
      const one = encodeAndPack(spec10, plan, new Array<bigint>(60).fill(plan.maxValue))
      assertCorrupt(() => unpackAggregate(plan, one.map(p => p * 11n)), plan.countSlot, 'count-range')
    })

    it('a hand-flipped guard bit names its slot, wherever the slot lies', () => {
      const plan = planPacking(spec, 2048)
      const aggregate = sumPlaintexts([1, 2, 3].map(i => encodeAndPack(spec, plan, new Array<number>(60).fill(i))))
      for (const slot of [0, 54, 55, 59, plan.countSlot]) {
        assertCorrupt(() => unpackAggregate(plan, flipBit(plan, aggregate, slot, plan.slotBits - 1)), slot, 'guard-bit')
      }
    })

    it('bits above the last slot name the last slot of that plaintext', () => {
      const plan = planPacking(spec, 2048) // 61 slots: 53 in plaintext 0, 8 in plaintext 1
      const aggregate = encodeAndPack(spec, plan, new Array<number>(60).fill(1))
      assertCorrupt(() => unpackAggregate(plan, flipBit(plan, aggregate, 53 + 8, 0)), 60, 'plaintext-range')
      assertCorrupt(() => unpackAggregate(plan, aggregate.map((p, c) => c === 0 ? p | (1n << 2045n) : p)), 52, 'plaintext-range')
      assertCorrupt(() => unpackAggregate(plan, [-1n, aggregate[1]!]), 0, 'plaintext-range')
      assert.throws(() => unpackAggregate(plan, aggregate.slice(1)), { name: 'VectorLengthError', message: 'expected 2 plaintexts, got 1' })
    })

    it('a value slot above maxValue × count fails value-range even with its guard bit clear', () => {
      const plan = planPacking(spec, 2048)
      const aggregate = sumPlaintexts([1, 2].map(() => encodeAndPack(spec, plan, new Array<bigint>(60).fill(plan.maxValue))))
      // Slot 7 = 2·maxValue + 1: one client sent more than maxValue.
      assertCorrupt(() => unpackAggregate(plan, flipBit(plan, aggregate, 7, 0)), 7, 'value-range')
    })

    it('names the slot and the check but never a decrypted value, whichever check fails', () => {
      // Distinctive values (7+ digits) so that a leak cannot hide among the public parameters.
      const weighted = { ...spec, weightBits: 8 }
      const plan = planPacking(weighted, 2048)
      const victim = Array.from({ length: 60 }, (_, i) => 1_234_567 + 1_000_003 * i)
      const aggregate = sumPlaintexts([victim, victim.map(v => v + 7_654_321)].map((v, j) => encodeAndPack(weighted, plan, v, 200 + j)))
      const slotBits = BigInt(plan.slotBits)
      const at = (slot: number): { c: number, shift: bigint } => ({ c: Math.floor(slot / plan.slotsPerCiphertext), shift: BigInt(plan.tagSlotBits) + BigInt(slot % plan.slotsPerCiphertext) * slotBits })
      const add = (slot: number, delta: bigint): bigint[] => aggregate.map((p, c) => c === at(slot).c ? p + (delta << at(slot).shift) : p)
      const attacks: Array<[string, bigint[]]> = [
        // Why item 4 of the issue: the victim's ciphertext times E(guard bit) of slot 5.
        ['guard-bit', add(5, 1n << (slotBits - 1n))],
        ['value-range', add(9, plan.maxValue * 1_000n)],
        ['count-range', add(plan.countSlot, 40n)],
        ['weight-range', add(plan.weightSlot!, 100_000n)],
        ['plaintext-range', aggregate.map((p, c) => c === 0 ? p + (12_345n << 2040n) : p)]
      ]
      for (const [check, plaintexts] of attacks) {
        const secrets = [...plaintexts.map(String), ...rawSlots(plan, plaintexts).map(String)].filter(digits => digits.length >= 2)
        assert.throws(() => unpackAggregate(plan, plaintexts), (err: Error & { check?: string }) => {
          assert.equal(err.check, check)
          for (const digits of secrets) assert.ok(!err.message.includes(digits), `${check}: "${err.message}" contains the decrypted ${digits}`)
          return true
        })
      }
    })

    it('a weighted value slot above maxValue × weight sum fails value-range; a bad weight sum fails weight-range', () => {
      const weighted = { ...spec, weightBits: 8 }
      const plan = planPacking(weighted, 2048)
      const honest = encodeAndPack(weighted, plan, new Array<bigint>(60).fill(plan.maxValue), 3)
      const slotBits = BigInt(plan.slotBits)
      // Value slot 1 = 3·maxValue + 1 > maxValue·3, though far below count·maxValue·maxWeight.
      assertCorrupt(() => unpackAggregate(plan, honest.map((p, c) => c === 0 ? p + (1n << (BigInt(plan.tagSlotBits) + slotBits)) : p)), 1, 'value-range')
      const weightSlot = plan.weightSlot!
      const inPlaintext = BigInt(plan.tagSlotBits) + BigInt(weightSlot % plan.slotsPerCiphertext) * slotBits
      const lastC = honest.length - 1
      // Weight sum 0 < count 1; weight sum 256 > count × 255.
      assertCorrupt(() => unpackAggregate(plan, honest.map((p, c) => c === lastC ? p - (3n << inPlaintext) : p)), weightSlot, 'weight-range')
      assertCorrupt(() => unpackAggregate(plan, honest.map((p, c) => c === lastC ? p + (253n << inPlaintext) : p)), weightSlot, 'weight-range')
    })
  })
})

/** Every slot of `plaintexts` as it decrypted (tag slot first), without any check: what an error must never show. */
function rawSlots (plan: PackingPlan, plaintexts: readonly bigint[]): bigint[] {
  const tagBits = BigInt(plan.tagSlotBits)
  const mask = (1n << BigInt(plan.slotBits)) - 1n
  return plaintexts.flatMap(p => [
    p & ((1n << tagBits) - 1n),
    ...Array.from({ length: plan.slotsPerCiphertext }, (_, j) => (p >> (tagBits + BigInt(j) * BigInt(plan.slotBits))) & mask)
  ])
}
