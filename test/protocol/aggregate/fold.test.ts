// Tests the homomorphic fold, and the whole path encodeAndPack -> encrypt -> fold -> decrypt -> unpack -> decode.
//
// Keys: paillier-bigint 512-bit keys generated once here. The fold does not depend
// on the key size, and packing is tested at 2048 and 3072 bits in
// test/protocol/encoding/packing.test.ts; a small key keeps encryption fast.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as paillier from 'paillier-bigint'
import { CiphertextAccumulator } from '../../../protocol/aggregate/fold.ts'
import { decodeAggregate, encodeAndPack, planPacking, unpackAggregate } from '../../../protocol/encoding/packing.ts'
import type { VectorSpec } from '../../../protocol/encoding/spec.ts'

describe('protocol/aggregate/fold', function () {
  let keys: paillier.KeyPair
  let nSquared: bigint
  let keyBits: number

  before(async function () {
    keys = await paillier.generateRandomKeys(512, true)
    nSquared = keys.publicKey.n ** 2n
    keyBits = keys.publicKey.bitLength
  })

  const encryptAll = (plaintexts: readonly bigint[]): bigint[] => plaintexts.map(m => keys.publicKey.encrypt(m))
  const decryptAll = (ciphertexts: readonly bigint[]): bigint[] => ciphertexts.map(c => keys.privateKey.decrypt(c))

  describe('CiphertextAccumulator', () => {
    it('starts at the identity: all 1s, no contributions, decrypting to zeros', () => {
      const acc = new CiphertextAccumulator(nSquared, 3)
      assert.equal(acc.contributions, 0)
      assert.equal(acc.ciphertextCount, 3)
      assert.deepEqual(acc.value(), [1n, 1n, 1n])
      assert.deepEqual(decryptAll(acc.value()), [0n, 0n, 0n])
    })

    it('multiplies slot-wise mod n², which adds the plaintexts', () => {
      const acc = new CiphertextAccumulator(nSquared, 2)
      const a = encryptAll([3n, 100n])
      const b = encryptAll([4n, keys.publicKey.n - 1n])
      acc.add(a)
      assert.deepEqual(acc.value(), a)
      acc.add(b)
      assert.equal(acc.contributions, 2)
      assert.deepEqual(acc.value(), [a[0]! * b[0]! % nSquared, a[1]! * b[1]! % nSquared])
      // The second sum wraps mod n: the packing plan exists to keep real aggregates below n.
      assert.deepEqual(decryptAll(acc.value()), [7n, 99n])
    })

    it('folds many submissions into one sum (property)', () => {
      fc.assert(fc.property(fc.array(fc.array(fc.bigInt({ min: 0n, max: 2n ** 400n }), { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 12 }), submissions => {
        const acc = new CiphertextAccumulator(nSquared, 3)
        for (const plaintexts of submissions) acc.add(encryptAll(plaintexts))
        assert.equal(acc.contributions, submissions.length)
        const expected = [0, 1, 2].map(i => submissions.reduce((s, p) => s + p[i]!, 0n) % keys.publicKey.n)
        assert.deepEqual(decryptAll(acc.value()), expected)
      }), { numRuns: 20 })
    })

    it('returns a copy from value()', () => {
      const acc = new CiphertextAccumulator(nSquared, 1)
      acc.value()[0] = 5n
      assert.deepEqual(acc.value(), [1n])
    })

    it('refuses a wrong ciphertext count without folding anything', () => {
      const acc = new CiphertextAccumulator(nSquared, 2)
      assert.throws(() => acc.add(encryptAll([1n])), { name: 'CiphertextCountError', message: 'expected 2 ciphertexts, got 1' })
      assert.throws(() => acc.add(encryptAll([1n, 2n, 3n])), { name: 'CiphertextCountError' })
      assert.equal(acc.contributions, 0)
      assert.deepEqual(acc.value(), [1n, 1n])
    })

    it('refuses a ciphertext outside (0, n²) naming its index, leaving the product untouched (all-or-nothing)', () => {
      const acc = new CiphertextAccumulator(nSquared, 3)
      const good = encryptAll([1n, 2n, 3n])
      acc.add(good)
      for (const [bad, message] of [[0n, /got 0$/], [-5n, /got -5$/], [nSquared, />= n²$/], [nSquared + 1n, />= n²$/], [1, /expected a bigint, got number/]] as const) {
        const submission: unknown[] = encryptAll([4n, 5n, 6n])
        submission[2] = bad
        assert.throws(() => acc.add(submission as bigint[]), (err: Error & { index?: number }) => {
          assert.equal(err.name, 'FoldInputError')
          assert.equal(err.index, 2)
          assert.match(err.message, /^ciphertext 2: expected/)
          assert.match(err.message, message)
          return true
        })
      }
      assert.equal(acc.contributions, 1)
      assert.deepEqual(acc.value(), good)
      acc.add([1n, nSquared - 1n, 1n]) // the range ends are valid inputs
      assert.equal(acc.contributions, 2)
    })

    it('refuses an unusable modulus or count', () => {
      for (const [n2, count] of [[1n, 1], [0n, 1], [nSquared, 0], [nSquared, 1.5], [nSquared, -1]] as const) {
        assert.throws(() => new CiphertextAccumulator(n2, count), { name: 'InvalidAccumulatorError' })
      }
    })
  })

  describe('end to end: encodeAndPack -> encrypt -> fold -> decrypt -> unpack -> decode', () => {
    /** Runs the whole pipeline for several clients and returns the decoded aggregate. */
    function aggregate (spec: VectorSpec, clients: ReadonlyArray<{ values: readonly number[] | readonly bigint[], weight?: number | bigint }>): ReturnType<typeof decodeAggregate> {
      const plan = planPacking(spec, keyBits)
      const acc = new CiphertextAccumulator(nSquared, plan.ciphertexts)
      for (const client of clients) acc.add(encryptAll(encodeAndPack(spec, plan, client.values, client.weight)))
      assert.equal(acc.contributions, clients.length)
      return decodeAggregate(spec, plan, unpackAggregate(plan, decryptAll(acc.value())))
    }

    it('reproduces the reference: five clients [i, i+1], i = 0..4, sum to [10, 15]', () => {
      const spec: VectorSpec = { length: 2, encoding: { kind: 'int', bits: 32 }, maxParticipants: 5 }
      const decoded = aggregate(spec, [0, 1, 2, 3, 4].map(i => ({ values: [i, i + 1] })))
      assert.deepEqual(decoded, { kind: 'int', count: 5, sum: [10n, 15n], mean: [2, 3] })
    })

    it('int sums equal the plain sums, weighted or not, across several ciphertexts (property)', () => {
      const caseArb = fc.record({
        length: fc.integer({ min: 1, max: 40 }),
        bits: fc.integer({ min: 1, max: 62 }),
        maxParticipants: fc.integer({ min: 1, max: 8 }),
        weightBits: fc.option(fc.integer({ min: 1, max: 16 }), { nil: undefined })
      }).chain(c => fc.array(fc.record({
        values: fc.array(fc.bigInt({ min: 0n, max: 2n ** BigInt(c.bits) - 1n }), { minLength: c.length, maxLength: c.length }),
        weight: fc.bigInt({ min: 1n, max: 2n ** BigInt(c.weightBits ?? 1) - 1n })
      }), { minLength: 1, maxLength: c.maxParticipants }).map(clients => ({ ...c, clients })))

      fc.assert(fc.property(caseArb, ({ length, bits, maxParticipants, weightBits, clients }) => {
        const spec: VectorSpec = { length, encoding: { kind: 'int', bits }, maxParticipants, ...(weightBits === undefined ? {} : { weightBits }) }
        const weightOf = (w: bigint): bigint => weightBits === undefined ? 1n : w
        const decoded = aggregate(spec, clients.map(c => ({ values: c.values, ...(weightBits === undefined ? {} : { weight: c.weight }) })))
        assert.equal(decoded.count, clients.length)
        assert.deepEqual(decoded.sum, Array.from({ length }, (_, i) => clients.reduce((s, c) => s + weightOf(c.weight) * c.values[i]!, 0n)))
        if (weightBits !== undefined) assert.equal(decoded.weightSum, clients.reduce((s, c) => s + c.weight, 0n))
      }), { numRuns: 25 })
    })

    it('fixed weighted mean of float updates, within 2^−(f+1)', () => {
      const spec: VectorSpec = { length: 3, encoding: { kind: 'fixed', fractionBits: 20, clip: 4 }, maxParticipants: 4, weightBits: 10 }
      const clients = [
        { values: [0.5, -1.25, 3.999], weight: 10 },
        { values: [-0.3, 2.2, 7], weight: 30 }, // 7 clips to 4
        { values: [1e-7, -4, 0.123456], weight: 60 }
      ]
      const decoded = aggregate(spec, clients)
      assert.equal(decoded.kind, 'fixed')
      assert.equal(decoded.count, 3)
      assert.equal(decoded.weightSum, 100n)
      const clipped = clients.map(c => c.values.map(x => Math.min(4, Math.max(-4, x))))
      for (let i = 0; i < 3; i++) {
        const mean = clipped.reduce((s, v, j) => s + clients[j]!.weight * v[i]!, 0) / 100
        assert.ok(Math.abs(decoded.mean![i]! - mean) <= 2 ** -21, `value ${i}: ${decoded.mean![i]} vs ${mean}`)
      }
    })

    it('detects maxParticipants + 1 max-valued contributions after decryption', () => {
      const spec: VectorSpec = { length: 5, encoding: { kind: 'int', bits: 16 }, maxParticipants: 4 }
      const plan = planPacking(spec, keyBits)
      const acc = new CiphertextAccumulator(nSquared, plan.ciphertexts)
      for (let i = 0; i < 5; i++) acc.add(encryptAll(encodeAndPack(spec, plan, [65535, 65535, 65535, 65535, 65535])))
      assert.throws(() => unpackAggregate(plan, decryptAll(acc.value())), { name: 'CorruptAggregateError', slot: 0, check: 'guard-bit' })
    })
  })
})
