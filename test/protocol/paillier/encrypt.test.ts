// Tests encryption against independent known answers, homomorphic properties, re-randomization and refusals.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { decrypt } from '../../../protocol/paillier/decrypt.ts'
import {
  addCiphertexts, encrypt, encryptionComb, encryptOneOff, encryptWithRandomness, randomnessBits, rerandomize, rerandomizeWithRandomness
} from '../../../protocol/paillier/encrypt.ts'
import { privateKeyFromPrimes, publicKeyFromJSON, publicKeyToJSON } from '../../../protocol/paillier/keys.ts'
import { knownAnswers, testKey, throwsNamed } from './fixtures.ts'

describe('paillier/encrypt', () => {
  const key = testKey(2048)
  const pk = key.publicKey
  const plaintext = fc.bigInt({ min: 0n, max: pk.n - 1n })

  it('reproduces the known-answer ciphertexts at 2048 and 3072 bits', () => {
    for (const kat of knownAnswers()) {
      const katKey = privateKeyFromPrimes(kat.p, kat.q, kat.hs)
      assert.equal(randomnessBits(katKey.publicKey), kat.bits / 2)
      for (const { m, r, c } of kat.cases) {
        assert.equal(encryptWithRandomness(katKey.publicKey, m, r), c, `${kat.bits} bits, m = ${m.toString(16).slice(0, 8)}…`)
      }
    }
  })

  it('decrypts what it encrypts, for edge and random plaintexts', () => {
    for (const m of [0n, 1n, pk.n - 1n, pk.n / 2n]) assert.equal(decrypt(key, encrypt(pk, m)), m)
    fc.assert(fc.property(plaintext, m => decrypt(key, encrypt(pk, m)) === m), { numRuns: 20 })
  })

  it('draws fresh randomness: two encryptions of one plaintext differ', () => {
    assert.notEqual(encrypt(pk, 42n), encrypt(pk, 42n))
    assert.notEqual(encryptOneOff(pk, 42n), encryptOneOff(pk, 42n))
  })

  it('encrypts without the comb too (encryptOneOff), to ciphertexts that add with comb ones', () => {
    fc.assert(fc.property(plaintext, plaintext, (a, b) => {
      const c = encryptOneOff(pk, a)
      return decrypt(key, c) === a && decrypt(key, addCiphertexts(pk, c, encrypt(pk, b))) === (a + b) % pk.n
    }), { numRuns: 10 })
    assert.throws(() => encryptOneOff(pk, pk.n), throwsNamed('PlaintextOutOfRangeError'))
  })

  it('adds homomorphically: D(E(a)·E(b)) = a + b mod n', () => {
    fc.assert(fc.property(plaintext, plaintext, (a, b) => decrypt(key, addCiphertexts(pk, encrypt(pk, a), encrypt(pk, b))) === (a + b) % pk.n), { numRuns: 25 })
  })

  it('re-randomizes: D(rerandomize(E(m))) = m and the ciphertext changes', () => {
    fc.assert(fc.property(plaintext, m => {
      const c = encrypt(pk, m)
      const fresh = rerandomize(pk, c)
      return fresh !== c && decrypt(key, fresh) === m
    }), { numRuns: 15 })
  })

  it('re-randomizes by multiplying in E(0) with the same randomizer the comb computes', () => {
    const c = encrypt(pk, 7n)
    const r = (1n << 1023n) + 12345n
    assert.equal(rerandomizeWithRandomness(pk, c, r), c * encryptWithRandomness(pk, 0n, r) % pk.nSquared)
  })

  it('caches one comb per key object', () => {
    assert.equal(encryptionComb(pk), encryptionComb(pk))
  })

  it('lets another object of the same key adopt its comb\'s table, and refuses one of another key', () => {
    // A worker thread holds its own key object, made from the key's JSON as here.
    const copy = publicKeyFromJSON(publicKeyToJSON(pk))
    const comb = encryptionComb(copy, { table: encryptionComb(pk).table })
    assert.equal(comb.table, encryptionComb(pk).table)
    assert.equal(encryptionComb(copy, { shared: true }), comb, 'options apply to the first call only')
    assert.equal(decrypt(key, encrypt(copy, 99n)), 99n)
    const other = testKey(3072).publicKey
    assert.throws(() => encryptionComb(publicKeyFromJSON(publicKeyToJSON(other)), { table: comb.table }), RangeError)
  })

  it('refuses plaintexts outside [0, n)', () => {
    for (const m of [-1n, pk.n, pk.n + 1n, 1n << 5000n]) assert.throws(() => encrypt(pk, m), throwsNamed('PlaintextOutOfRangeError'))
    assert.throws(() => encrypt(pk, 5 as unknown as bigint), throwsNamed('PlaintextOutOfRangeError'))
    assert.throws(() => encryptWithRandomness(pk, pk.n, 1n), throwsNamed('PlaintextOutOfRangeError'))
  })

  it('refuses explicit randomness outside [0, 2^(k/2))', () => {
    assert.throws(() => encryptWithRandomness(pk, 1n, -1n), throwsNamed('RandomnessOutOfRangeError'))
    assert.throws(() => encryptWithRandomness(pk, 1n, 1n << 1024n), throwsNamed('RandomnessOutOfRangeError'))
    assert.throws(() => rerandomizeWithRandomness(pk, 5n, 1n << 1024n), throwsNamed('RandomnessOutOfRangeError'))
  })

  it('refuses ciphertexts outside (0, n²) in addition and re-randomization', () => {
    const c = encrypt(pk, 1n)
    for (const bad of [0n, -c, pk.nSquared, pk.nSquared + 1n]) {
      assert.throws(() => addCiphertexts(pk, c, bad), throwsNamed('CiphertextOutOfRangeError'))
      assert.throws(() => addCiphertexts(pk, bad, c), throwsNamed('CiphertextOutOfRangeError'))
      assert.throws(() => rerandomize(pk, bad), throwsNamed('CiphertextOutOfRangeError'))
    }
  })
})
