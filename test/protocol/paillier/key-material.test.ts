// Tests DJN key material: prime conditions and exact modulus length (h_s derivation: derived-hs.test.ts).
import assert from 'node:assert/strict'
import { checkPrimeSync } from 'node:crypto'
import { bitLength, gcd } from '../../../protocol/paillier/arith.ts'
import { randomBlumPrime, randomDjnPrimes } from '../../../protocol/paillier/key-material.ts'

describe('paillier/key-material', () => {
  it('draws Blum primes of the exact length', () => {
    for (let i = 0; i < 4; i++) {
      const p = randomBlumPrime(192)
      assert.equal(p & 3n, 3n)
      assert.equal(bitLength(p), 192)
      assert.ok(checkPrimeSync(p))
    }
  })

  it('draws prime pairs meeting every DJN condition, reporting each p drawn, then q', () => {
    for (const bits of [384, 385]) {
      const phases: string[] = []
      const { p, q } = randomDjnPrimes(bits, phase => phases.push(phase))
      assert.match(phases.join(' '), /^(prime-p )+prime-q$/)
      assert.equal(bitLength(p * q), bits)
      assert.ok(p !== q && checkPrimeSync(p) && checkPrimeSync(q))
      assert.equal(p & 3n, 3n)
      assert.equal(q & 3n, 3n)
      assert.equal(gcd(p - 1n, q - 1n), 2n)
    }
  })

  it('redraws p, not only q, when p·q falls a bit short', () => {
    // A p just above 2^192 needs a q just below 2^192 for a 385-bit product, so a loop that kept
    // this p and redrew only q would ask for a third q here and find the script exhausted.
    const blumAbove = (from: bigint, accept: (prime: bigint) => boolean = () => true): bigint => {
      for (let candidate = from | 3n; ; candidate += 4n) if (checkPrimeSync(candidate) && accept(candidate)) return candidate
    }
    const highP = blumAbove(3n << 191n)
    const pDraws = [blumAbove(1n << 192n), highP]
    const qDraws = [blumAbove(1n << 191n), blumAbove(3n << 190n, q => gcd(highP - 1n, q - 1n) === 2n)]
    const drawn: string[] = []
    const phases: string[] = []
    const { p, q } = randomDjnPrimes(385, phase => phases.push(phase), bits => {
      const queue = bits === 193 ? pDraws : qDraws
      const next = queue.shift()
      if (next === undefined) throw new Error(`no scripted ${bits}-bit prime left`)
      drawn.push(`${bits}`)
      return next
    })
    assert.deepEqual(drawn, ['193', '192', '193', '192'])
    assert.deepEqual(phases, ['prime-p', 'prime-p', 'prime-q'])
    assert.equal(bitLength(p * q), 385)
    assert.equal(gcd(p - 1n, q - 1n), 2n)
  })
})
