// Tests key construction, validation and the versioned JSON formats, including every refusal.
import assert from 'node:assert/strict'
import { generatePrimeSync } from 'node:crypto'
import { bitLength, gcd, modInverse } from '../../../protocol/paillier/arith.ts'
import {
  assertKeyBits, DEFAULT_KEY_BITS, MAX_KEY_BITS, MIN_KEY_BITS, privateKeyFromJSON, privateKeyFromPrimes, privateKeyToJSON,
  publicKeyFromJSON, publicKeyFromParts, publicKeyToJSON
} from '../../../protocol/paillier/keys.ts'
import { derivedPublicComponent, publicComponentFromUnit } from '../../../protocol/paillier/derived-hs.ts'
import { modPow } from '../../../protocol/paillier/modpow.ts'
import { knownAnswers, smallOrderHs, testKey, testKeyJSON, throwsNamed } from './fixtures.ts'

describe('paillier/keys', () => {
  const key = testKey(2048)
  const { n, hs } = key.publicKey

  it('exports the documented key sizes', () => {
    assert.equal(DEFAULT_KEY_BITS, 3072)
    assert.equal(MIN_KEY_BITS, 2048)
    assert.equal(MAX_KEY_BITS, 4096)
  })

  it('assertKeyBits refuses non-integers, NaN included, with InvalidKeyBitsError', () => {
    for (const bad of [Number.NaN, 2048.5, Infinity, -Infinity, '2048' as unknown as number]) {
      assert.throws(() => { assertKeyBits(bad) }, throwsNamed('InvalidKeyBitsError'), String(bad))
    }
    assert.throws(() => { assertKeyBits(2047) }, throwsNamed('KeyTooShortError'))
    assertKeyBits(2048)
  })

  it('builds public keys whose fingerprint is SHA-256 of n (independent vectors)', () => {
    for (const kat of knownAnswers()) {
      const publicKey = publicKeyFromParts(kat.n, kat.hs)
      assert.equal(publicKey.fingerprint, kat.fingerprint)
      assert.equal(publicKey.bits, kat.bits)
      assert.equal(publicKey.nSquared, kat.n * kat.n)
      assert.ok(Object.isFrozen(publicKey))
    }
  })

  it('precomputes the CRT constants of the private key', () => {
    const { p, q } = key
    assert.equal(key.pSquared, p * p)
    assert.equal((key.hp * -q % p + p) % p, 1n)
    assert.equal((key.hq * -p % q + q) % q, 1n)
    assert.equal(key.qInverseModP * q % p, 1n)
    assert.ok(Object.isFrozen(key))
  })

  describe('publicKeyFromParts refusals', () => {
    it('refuses a 1024-bit modulus as too short and a 4098-bit one as too long', () => {
      const p = generatePrimeSync(512, { bigint: true })
      const q = generatePrimeSync(512, { bigint: true })
      assert.throws(() => publicKeyFromParts(p * q, 4n), throwsNamed('KeyTooShortError'))
      assert.throws(() => publicKeyFromParts((1n << 4097n) + 1n, 4n), throwsNamed('KeyTooLongError'))
    })

    it('refuses an even or non-positive n', () => {
      assert.throws(() => publicKeyFromParts(n + 1n, hs), throwsNamed('InvalidPublicKeyError'))
      assert.throws(() => publicKeyFromParts(-n, hs), throwsNamed('InvalidPublicKeyError'))
    })

    it('refuses h_s outside (1, n² − 1), or sharing a factor with n', () => {
      const nSquared = n * n
      for (const bad of [0n, 1n, nSquared - 1n, nSquared, nSquared + 5n, -hs, key.p * 12345n]) {
        assert.throws(() => publicKeyFromParts(n, bad), throwsNamed('InvalidPublicKeyError'))
      }
    })

    it('refuses h_s of order <= 2, including the two inside (1, n² − 1): 1 mod p² and −1 mod q², or the reverse', () => {
      const { p, q } = key
      const [pSquared, qSquared, nSquared] = [p * p, q * q, n * n]
      // CRT: the x with x ≡ a (mod p²) and x ≡ b (mod q²).
      const crt = (a: bigint, b: bigint): bigint => {
        const x = (a + pSquared * (((b - a) % qSquared + qSquared) * modInverse(pSquared, qSquared) % qSquared)) % nSquared
        assert.equal(x % pSquared, (a + pSquared) % pSquared)
        assert.equal(x % qSquared, (b + qSquared) % qSquared)
        return x
      }
      for (const orderTwo of [crt(1n, -1n), crt(-1n, 1n)]) {
        assert.ok(orderTwo > 1n && orderTwo < nSquared - 1n && gcd(orderTwo, n) === 1n, 'passes the range and unit checks')
        assert.equal(orderTwo * orderTwo % nSquared, 1n)
        assert.throws(() => publicKeyFromParts(n, orderTwo), { name: 'InvalidPublicKeyError', message: /gcd\(h_s − 1, n\)/ })
      }
      // The check is gcd(h_s ∓ 1, n) = 1, so h_s ≡ ±1 modulo p alone is refused too.
      assert.throws(() => publicKeyFromParts(n, crt(p + 1n, hs)), throwsNamed('InvalidPublicKeyError'))
      assert.throws(() => publicKeyFromParts(n, crt(hs, q * q - q - 1n)), throwsNamed('InvalidPublicKeyError'))
      assert.equal(publicKeyFromParts(n, hs).hs, hs)
    })

    it('refuses an h_s of order 51 that passes every structural check, as not derived from n', () => {
      const weak = smallOrderHs(key)
      assert.equal(weak.order, 51n)
      assert.equal(modPow(weak.hs, 51n, n * n), 1n)
      assert.throws(() => publicKeyFromParts(n, weak.hs), throwsNamed('DerivedHsMismatchError'))
      assert.throws(() => publicKeyFromJSON({ version: 1, n: n.toString(16), hs: weak.hs.toString(16) }), throwsNamed('DerivedHsMismatchError'))
      assert.throws(() => privateKeyFromPrimes(key.p, key.q, weak.hs), throwsNamed('DerivedHsMismatchError'))
    })

    it('refuses any h_s but the derived one, even an honest-looking (−x²)^n for a random x', () => {
      const other = publicComponentFromUnit(n, 0xfeedn)
      assert.notEqual(other, hs)
      assert.throws(() => publicKeyFromParts(n, other), throwsNamed('DerivedHsMismatchError'))
    })
  })

  describe('privateKeyFromPrimes refusals', () => {
    const { p, q } = key
    // The derived h_s passes the public checks, so refusals below come from the private ones.
    const hsFor = (a: bigint, b: bigint): bigint => derivedPublicComponent(a * b)

    it('refuses p = q and tiny primes', () => {
      assert.throws(() => privateKeyFromPrimes(p, p, hs), throwsNamed('InvalidPrivateKeyError'))
      assert.throws(() => privateKeyFromPrimes(2n, q, hs), throwsNamed('InvalidPrivateKeyError'))
    })

    it('refuses a composite that meets every other condition', () => {
      // a ≡ 3, b ≡ 1 (mod 4) gives a Blum-looking composite; redraw until length and gcd conditions hold too.
      for (;;) {
        const composite = generatePrimeSync(512, { bigint: true, add: 4n, rem: 3n }) * generatePrimeSync(512, { bigint: true, add: 4n, rem: 1n })
        if (bitLength(composite) !== 1024 || bitLength(composite * q) !== 2048 || gcd(composite - 1n, q - 1n) !== 2n) continue
        assert.throws(() => privateKeyFromPrimes(composite, q, hsFor(composite, q)), /composite/)
        return
      }
    })

    it('refuses primes of a too-short modulus with KeyTooShortError', () => {
      const small = generatePrimeSync(512, { bigint: true, add: 4n, rem: 3n })
      const other = generatePrimeSync(512, { bigint: true, add: 4n, rem: 3n })
      assert.throws(() => privateKeyFromPrimes(small, other, 4n), throwsNamed('KeyTooShortError'))
    })

    it('refuses non-Blum primes, gcd(p − 1, q − 1) > 2 and unbalanced lengths', () => {
      // A prime ≡ rem (mod add) whose product with `partner` has exactly 2048 bits, so only the tested condition fails.
      const primeFor = (partner: bigint, add: bigint, rem: bigint): bigint => {
        for (;;) {
          const candidate = generatePrimeSync(2048 - bitLength(partner), { bigint: true, add, rem })
          if (bitLength(candidate * partner) === 2048) return candidate
        }
      }
      const oneModThree = primeFor(q, 12n, 7n) // ≡ 3 (mod 4) and ≡ 1 (mod 3)
      const alsoOneModThree = primeFor(oneModThree, 12n, 7n)
      assert.throws(() => privateKeyFromPrimes(oneModThree, alsoOneModThree, hsFor(oneModThree, alsoOneModThree)), /gcd\(p − 1, q − 1\) = 2/)
      const nonBlum = primeFor(q, 4n, 1n)
      assert.throws(() => privateKeyFromPrimes(nonBlum, q, hsFor(nonBlum, q)), /3 \(mod 4\)/)
      const short = generatePrimeSync(900, { bigint: true, add: 4n, rem: 3n })
      const long = generatePrimeSync(1200, { bigint: true, add: 4n, rem: 3n })
      assert.throws(() => privateKeyFromPrimes(short, long, hsFor(short, long)), /equal length/)
    })

    it('refuses an h_s that is no n-th residue (decryption would fail): it is not the derived one', () => {
      // h_s·g for g = n + 1 is no n-th residue, yet ≡ h_s (mod n), so it passes every structural check.
      assert.throws(() => privateKeyFromPrimes(p, q, hs * (n + 1n) % (n * n)), throwsNamed('DerivedHsMismatchError'))
    })
  })

  describe('JSON', () => {
    it('round-trips public and private keys as canonical hex', () => {
      const publicJSON = publicKeyToJSON(key.publicKey)
      assert.deepEqual(Object.keys(publicJSON).sort(), ['hs', 'n', 'version'])
      assert.equal(publicJSON.version, 1)
      assert.equal(publicJSON.n, n.toString(16))
      assert.deepEqual(publicKeyFromJSON(JSON.parse(JSON.stringify(publicJSON))), key.publicKey)
      const privateJSON = privateKeyToJSON(key)
      assert.deepEqual(privateJSON, testKeyJSON(2048))
      assert.deepEqual(privateKeyFromJSON(JSON.parse(JSON.stringify(privateJSON))), key)
    })

    it('refuses unknown versions with UnsupportedKeyVersionError', () => {
      assert.throws(() => publicKeyFromJSON({ ...publicKeyToJSON(key.publicKey), version: 2 }), throwsNamed('UnsupportedKeyVersionError'))
      assert.throws(() => privateKeyFromJSON({ ...privateKeyToJSON(key), version: 0 }), throwsNamed('UnsupportedKeyVersionError'))
    })

    it('refuses malformed shapes and numbers with KeyFormatError', () => {
      const good = publicKeyToJSON(key.publicKey)
      const malformed: unknown[] = [
        null, [], 'key', 42,
        { n: good.n, hs: good.hs },
        { ...good, version: '1' },
        { ...good, n: undefined },
        { ...good, n: 12345 },
        { ...good, n: '0x' + good.n },
        { ...good, n: good.n.toUpperCase() },
        { ...good, n: '0' + good.n },
        { ...good, hs: '' },
        { ...good, hs: 'xyz' },
        { ...good, extra: true },
        { ...good, hs: 'f'.repeat(2 * MAX_KEY_BITS / 4 + 1) }
      ]
      for (const json of malformed) assert.throws(() => publicKeyFromJSON(json), throwsNamed('KeyFormatError'), JSON.stringify(json)?.slice(0, 60))
      assert.throws(() => publicKeyFromJSON({ ...good, n: 'f'.repeat(MAX_KEY_BITS / 4 + 1) }), throwsNamed('KeyTooLongError'))
      assert.throws(() => privateKeyFromJSON({ ...privateKeyToJSON(key), p: undefined }), throwsNamed('KeyFormatError'))
    })

    it('refuses a private key whose p·q is not n', () => {
      const json = privateKeyToJSON(key)
      assert.throws(() => privateKeyFromJSON({ ...json, n: (n + 2n).toString(16) }), throwsNamed('InvalidPrivateKeyError'))
    })

    it('applies the public checks to JSON keys too', () => {
      assert.throws(() => publicKeyFromJSON({ version: 1, n: (n + 1n).toString(16), hs: 'ff' }), throwsNamed('InvalidPublicKeyError'))
      assert.throws(() => publicKeyFromJSON({ version: 1, n: 'ffff', hs: 'ff' }), throwsNamed('KeyTooShortError'))
    })
  })
})
