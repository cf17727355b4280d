// Tests the OpenSSL-backed modPow against BigInt square-and-multiply, at edge cases and key-sized moduli.
import assert from 'node:assert/strict'
import { DiffieHellman } from 'node:crypto'
import fc from 'fast-check'
import { bytesToBigint } from '../../../protocol/paillier/bytes.ts'
import { FixedBasePow, FixedExponentPow, modPow } from '../../../protocol/paillier/modpow.ts'
import { testKey } from './fixtures.ts'

// The independent reference: right-to-left binary exponentiation in plain BigInt.
function referencePow (base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n % modulus
  let square = ((base % modulus) + modulus) % modulus
  for (let e = exponent; e > 0n; e >>= 1n) {
    if ((e & 1n) === 1n) result = result * square % modulus
    square = square * square % modulus
  }
  return result
}

describe('paillier/modpow', () => {
  const oddModulus = fc.bigInt({ min: 3n, max: 1n << 700n }).map(m => m | 1n)

  it('matches BigInt exponentiation on random odd moduli', () => {
    fc.assert(fc.property(fc.bigInt({ min: -(1n << 800n), max: 1n << 800n }), fc.bigInt({ min: 0n, max: 1n << 300n }), oddModulus,
      (base, exponent, modulus) => modPow(base, exponent, modulus) === referencePow(base, exponent, modulus)), { numRuns: 200 })
  })

  it('handles the bases and exponents OpenSSL would refuse as a generator', () => {
    const m = (1n << 127n) - 1n
    for (const [base, exponent] of [[0n, 5n], [1n, 5n], [m, 5n], [m + 1n, 5n], [m - 1n, 3n], [2n, 0n], [0n, 0n], [2n, 1n], [-1n, 3n]] as const) {
      assert.equal(modPow(base, exponent, m), referencePow(base, exponent, m), `${base}^${exponent}`)
    }
  })

  it('is correct for the moduli decryption and encryption use: p², q², n² of a 2048-bit key', () => {
    const { p, q, publicKey } = testKey(2048)
    for (const modulus of [p * p, q * q, publicKey.nSquared]) {
      const base = (modulus * 7n) / 11n
      for (const exponent of [p - 1n, publicKey.n, (1n << 1024n) - 1n]) {
        assert.equal(modPow(base, exponent, modulus), referencePow(base, exponent, modulus))
      }
    }
  })

  it('FixedExponentPow matches BigInt exponentiation, reusing one context for many bases', () => {
    const contextModulus = fc.bigInt({ min: 1n << 511n, max: 1n << 700n }).map(m => m | 1n)
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 1n << 300n }), contextModulus, fc.array(fc.bigInt({ min: -(1n << 800n), max: 1n << 800n }), { minLength: 1, maxLength: 5 }),
      (exponent, modulus, bases) => {
        const power = new FixedExponentPow(exponent, modulus)
        return bases.every(base => power.pow(base) === referencePow(base, exponent, modulus))
      }), { numRuns: 100 })
    const { p } = testKey(2048)
    const power = new FixedExponentPow(p - 1n, p * p)
    for (const base of [0n, 1n, 2n, p, p * p - 1n, p * p + 3n, (p * p * 5n) / 7n]) {
      assert.equal(power.pow(base), referencePow(base, p - 1n, p * p))
    }
  })

  it('FixedBasePow matches BigInt exponentiation, reusing one context for many exponents', () => {
    fc.assert(fc.property(oddModulus.filter(m => m > 5n), fc.bigInt({ min: 2n, max: 1n << 700n }), fc.array(fc.bigInt({ min: 0n, max: 1n << 300n }), { minLength: 1, maxLength: 5 }),
      (modulus, candidate, exponents) => {
        const base = 2n + candidate % (modulus - 3n)
        const power = new FixedBasePow(base, modulus)
        return exponents.every(e => power.pow(e) === referencePow(base, e, modulus))
      }), { numRuns: 100 })
    const { publicKey } = testKey(2048)
    const power = new FixedBasePow(publicKey.hs, publicKey.nSquared)
    for (const e of [0n, 1n, (1n << 1024n) - 1n]) assert.equal(power.pow(e), referencePow(publicKey.hs, e, publicKey.nSquared))
    assert.throws(() => new FixedBasePow(1n, 101n), RangeError)
    assert.throws(() => new FixedBasePow(100n, 101n), RangeError)
    assert.throws(() => power.pow(-1n), RangeError)
  })

  it('FixedBasePow leaves neither the exponent nor the power in its OpenSSL context', () => {
    // The context is private, so catch it when pow() hands it the exponent.
    const contexts = new Set<DiffieHellman>()
    const setPrivateKey = DiffieHellman.prototype.setPrivateKey
    DiffieHellman.prototype.setPrivateKey = function (this: DiffieHellman, ...args: unknown[]) {
      contexts.add(this)
      Reflect.apply(setPrivateKey, this, args)
    } as typeof setPrivateKey
    try {
      const { publicKey } = testKey(2048)
      const power = new FixedBasePow(publicKey.hs, publicKey.nSquared)
      const r = (1n << 1023n) + 12345n
      assert.equal(power.pow(r), referencePow(publicKey.hs, r, publicKey.nSquared))
      // Also when OpenSSL refuses the output (0, for a base sharing the factor 3 with the modulus).
      const refusing = new FixedBasePow(21n, 3n ** 400n)
      assert.equal(refusing.pow(400n), 0n)
      assert.equal(contexts.size, 2)
      const [context, refusingContext] = [...contexts]
      assert.deepEqual([...context!.getPrivateKey()], [1])
      assert.equal(bytesToBigint(context!.getPublicKey()), publicKey.hs)
      assert.deepEqual([...refusingContext!.getPrivateKey()], [1])
      assert.equal(bytesToBigint(refusingContext!.getPublicKey()), 21n)
    } finally {
      DiffieHellman.prototype.setPrivateKey = setPrivateKey
    }
  })

  it('recovers the outputs OpenSSL refuses (0 for a non-unit base, 1 and −1) through BigInt', () => {
    const modulus = 3n ** 400n
    assert.equal(modPow(21n, 400n, modulus), 0n)
    assert.equal(new FixedExponentPow(400n, modulus).pow(21n), 0n)
    const { p } = testKey(2048)
    const power = new FixedExponentPow(p - 1n, p * p)
    // A p-th power has order dividing p − 1 mod p², so its (p − 1)-th power is exactly 1.
    const unit = modPow(12345n, p, p * p)
    assert.equal(power.pow(unit), 1n)
    assert.equal(modPow(unit, p - 1n, p * p), 1n)
  })

  it('refuses even or tiny moduli and negative exponents', () => {
    assert.throws(() => modPow(2n, 3n, 10n), RangeError)
    assert.throws(() => modPow(2n, 3n, 1n), RangeError)
    assert.throws(() => modPow(2n, -1n, 7n), RangeError)
    assert.throws(() => new FixedExponentPow(3n, 10n), RangeError)
    assert.throws(() => new FixedExponentPow(3n, (1n << 510n) + 1n), RangeError)
    assert.throws(() => new FixedExponentPow(-1n, 7n), RangeError)
  })
})
