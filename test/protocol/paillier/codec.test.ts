// Tests the fixed-width ciphertext codec: round trips, widths, range and invertibility refusals.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import {
  assertAllCoprimeToModulus, assertSubmittedCiphertexts, ciphertextByteLength, decodeCiphertext, decodeCiphertexts, encodeCiphertext, encodeCiphertexts
} from '../../../protocol/paillier/codec.ts'
import { encrypt, encryptOneOff } from '../../../protocol/paillier/encrypt.ts'
import { testKey, throwsNamed } from './fixtures.ts'

describe('paillier/codec', () => {
  const key = testKey(2048)
  const pk = key.publicKey
  const ciphertext = fc.bigInt({ min: 1n, max: pk.nSquared - 1n })

  it('uses the byte length of n² as the width', () => {
    assert.equal(ciphertextByteLength(pk), 512)
    assert.equal(ciphertextByteLength(testKey(3072).publicKey), 768)
  })

  it('round-trips single ciphertexts, big-endian at fixed width', () => {
    assert.deepEqual([...encodeCiphertext(pk, 0x0102n)].slice(-3), [0, 1, 2])
    assert.equal(encodeCiphertext(pk, 1n).length, 512)
    fc.assert(fc.property(ciphertext, c => decodeCiphertext(pk, encodeCiphertext(pk, c)) === c))
    const real = encrypt(pk, 5n)
    assert.equal(decodeCiphertext(pk, encodeCiphertext(pk, real)), real)
  })

  it('round-trips concatenated ciphertexts, including none', () => {
    fc.assert(fc.property(fc.array(ciphertext, { maxLength: 6 }), cs => {
      const bytes = encodeCiphertexts(pk, cs)
      return bytes.length === 512 * cs.length && decodeCiphertexts(pk, bytes).every((c, i) => c === cs[i]) && decodeCiphertexts(pk, bytes).length === cs.length
    }))
  })

  it('refuses wrong widths', () => {
    for (const length of [0, 511, 513, 1024]) assert.throws(() => decodeCiphertext(pk, new Uint8Array(length).fill(1)), throwsNamed('CiphertextWidthError'))
    for (const length of [1, 511, 513, 1023]) assert.throws(() => decodeCiphertexts(pk, new Uint8Array(length).fill(1)), throwsNamed('CiphertextWidthError'))
  })

  it('refuses c = 0 and c >= n², alone or inside a concatenation', () => {
    const zero = new Uint8Array(512)
    const tooBig = new Uint8Array(512).fill(0xff)
    const atModulus = encodeModulusSquared()
    for (const bytes of [zero, tooBig, atModulus]) {
      assert.throws(() => decodeCiphertext(pk, bytes), throwsNamed('CiphertextOutOfRangeError'))
      const batch = new Uint8Array(1024)
      batch.set(encodeCiphertext(pk, 7n))
      batch.set(bytes, 512)
      assert.throws(() => decodeCiphertexts(pk, batch), throwsNamed('CiphertextOutOfRangeError'))
    }
    assert.throws(() => encodeCiphertext(pk, 0n), throwsNamed('CiphertextOutOfRangeError'))
    assert.throws(() => encodeCiphertexts(pk, [5n, pk.nSquared]), throwsNamed('CiphertextOutOfRangeError'))
  })

  it('checks gcd(c, n) = 1', () => {
    assertAllCoprimeToModulus(pk, [encrypt(pk, 3n), encrypt(pk, 4n)])
    for (const bad of [key.p, key.q * 7n, pk.n]) assert.throws(() => assertAllCoprimeToModulus(pk, [bad]), throwsNamed('CiphertextNotInvertibleError'))
    assert.throws(() => assertAllCoprimeToModulus(pk, [0n]), throwsNamed('CiphertextOutOfRangeError'))
  })

  it('finds one non-unit among many ciphertexts with its single gcd', () => {
    const units = [3n, 4n, 5n].map(m => encrypt(pk, m))
    for (const bad of [key.p, key.q * 7n, pk.n]) {
      assert.throws(() => assertAllCoprimeToModulus(pk, [...units.slice(0, 2), bad, units[2]!]), throwsNamed('CiphertextNotInvertibleError'))
    }
  })

  // n² itself, written at the ciphertext width (it fits, since the width is n²'s byte length).
  function encodeModulusSquared (): Uint8Array {
    const hex = pk.nSquared.toString(16).padStart(1024, '0')
    return Uint8Array.from(hex.match(/../g)!.map(byte => Number.parseInt(byte, 16)))
  }
})

describe('paillier/codec assertSubmittedCiphertexts', () => {
  const key = testKey(2048)
  const pk = key.publicKey
  const honest = [encryptOneOff(pk, 3n), encryptOneOff(pk, 0n), encryptOneOff(pk, 7n)]

  it('accepts real encryptions', () => {
    assert.doesNotThrow(() => { assertSubmittedCiphertexts(pk, honest) })
  })

  it('refuses 1, n and multiples of p or q, naming the failure', () => {
    assert.throws(() => { assertSubmittedCiphertexts(pk, [...honest, 1n]) }, { name: 'CiphertextOutOfRangeError', message: /ciphertext 3/ })
    assert.throws(() => { assertSubmittedCiphertexts(pk, [pk.n, ...honest]) }, { name: 'CiphertextNotInvertibleError' })
    assert.throws(() => { assertSubmittedCiphertexts(pk, [...honest, key.p * 12345n]) }, { name: 'CiphertextNotInvertibleError' })
    assert.throws(() => { assertSubmittedCiphertexts(pk, [key.q * (pk.n + 1n)]) }, { name: 'CiphertextNotInvertibleError' })
  })
})
