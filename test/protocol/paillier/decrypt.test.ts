// Tests CRT decryption against known answers and refusals, and interoperability with paillier-bigint both ways.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { decrypt } from '../../../protocol/paillier/decrypt.ts'
import { encrypt } from '../../../protocol/paillier/encrypt.ts'
import { privateKeyFromPrimes } from '../../../protocol/paillier/keys.ts'
import { knownAnswers, referenceKeys, testKey, throwsNamed } from './fixtures.ts'

describe('paillier/decrypt', () => {
  const key = testKey(2048)
  const pk = key.publicKey

  it('decrypts the known-answer ciphertexts at 2048 and 3072 bits', () => {
    for (const kat of knownAnswers()) {
      const katKey = privateKeyFromPrimes(kat.p, kat.q, kat.hs)
      for (const { m, c } of kat.cases) assert.equal(decrypt(katKey, c), m)
    }
  })

  it('decrypts with the 3072-bit test key', () => {
    const key3072 = testKey(3072)
    const m = key3072.publicKey.n - 12345n
    assert.equal(decrypt(key3072, encrypt(key3072.publicKey, m)), m)
  })

  it('refuses ciphertexts outside (0, n²)', () => {
    for (const bad of [0n, -1n, pk.nSquared, pk.nSquared + 1n]) assert.throws(() => decrypt(key, bad), throwsNamed('CiphertextOutOfRangeError'))
  })

  it('refuses ciphertexts sharing a factor with n', () => {
    for (const bad of [key.p, key.q * 12345n, pk.n, pk.nSquared - pk.n]) assert.throws(() => decrypt(key, bad), throwsNamed('CiphertextNotInvertibleError'))
  })

  describe('interoperability with paillier-bigint (the oracle)', () => {
    const reference = referenceKeys(key)
    const plaintext = fc.bigInt({ min: 0n, max: pk.n - 1n })

    it('paillier-bigint decrypts our ciphertexts', () => {
      for (const m of [0n, 1n, pk.n - 1n]) assert.equal(reference.privateKey.decrypt(encrypt(pk, m)), m)
      fc.assert(fc.property(plaintext, m => reference.privateKey.decrypt(encrypt(pk, m)) === m), { numRuns: 8 })
    })

    it('we decrypt paillier-bigint ciphertexts', () => {
      for (const m of [0n, 1n, pk.n - 1n]) assert.equal(decrypt(key, reference.publicKey.encrypt(m)), m)
      fc.assert(fc.property(plaintext, m => decrypt(key, reference.publicKey.encrypt(m)) === m), { numRuns: 8 })
    })

    it('mixed sums decrypt on both sides', () => {
      const sum = reference.publicKey.addition(encrypt(pk, 40n), reference.publicKey.encrypt(2n))
      assert.equal(decrypt(key, sum), 42n)
      assert.equal(reference.privateKey.decrypt(sum), 42n)
    })
  })
})
