// Tests DJN key material: prime conditions, exact modulus length, and h_s derivation against known answers.
import assert from 'node:assert/strict'
import { checkPrimeSync } from 'node:crypto'
import { bitLength, gcd } from '../../../protocol/paillier/arith.ts'
import { publicComponentFromUnit, randomBlumPrime, randomDjnPrimes, randomPublicComponent } from '../../../protocol/paillier/key-material.ts'
import { modPow } from '../../../protocol/paillier/modpow.ts'
import { knownAnswers } from './fixtures.ts'

describe('paillier/key-material', () => {
  it('derives h_s = (−x²)^n mod n² as the independent vectors do', () => {
    for (const kat of knownAnswers()) assert.equal(publicComponentFromUnit(kat.n, kat.x), kat.hs)
  })

  it('draws Blum primes of the exact length', async () => {
    for (let i = 0; i < 4; i++) {
      const p = await randomBlumPrime(192)
      assert.equal(p & 3n, 3n)
      assert.equal(bitLength(p), 192)
      assert.ok(checkPrimeSync(p))
    }
  })

  it('draws prime pairs meeting every DJN condition, reporting p then q', async () => {
    for (const bits of [384, 385]) {
      const phases: string[] = []
      const { p, q } = await randomDjnPrimes(bits, phase => phases.push(phase))
      assert.deepEqual(phases, ['prime-p', 'prime-q'])
      assert.equal(bitLength(p * q), bits)
      assert.ok(p !== q && checkPrimeSync(p) && checkPrimeSync(q))
      assert.equal(p & 3n, 3n)
      assert.equal(q & 3n, 3n)
      assert.equal(gcd(p - 1n, q - 1n), 2n)
    }
  })

  it('makes h_s an n-th residue (killed by p − 1 modulo p²)', async () => {
    const { p, q } = await randomDjnPrimes(384)
    const hs = randomPublicComponent(p * q)
    assert.equal(modPow(hs, p - 1n, p * p), 1n)
    assert.equal(modPow(hs, q - 1n, q * q), 1n)
    assert.notEqual(hs, randomPublicComponent(p * q))
  })
})
