// Fixed-base exponentiation g^e mod N with a precomputed Lim–Lee comb: the h_s^r of every encryption.
//
// Lim and Lee, "More flexible exponentiation with precomputation" (CRYPTO '94). The t-bit exponent
// is cut into h rows ("teeth") of a = v·b bits, each row into v blocks of b bits, so bit
// i·a + j·b + s sits in row i, block j, column s. For every block j the table holds
//   G[j][u] = Π_{i : bit i of u} g^(2^(i·a + j·b))     for u in [1, 2^h),
// and then
//   g^e = Π_{s = b−1 … 0} ( Π_j G[j][u_{j,s}] )^(2^s)   with u_{j,s} = Σ_i bit(e, i·a + j·b + s)·2^i,
// evaluated Horner-style: b − 1 squarings and v·b multiplications, all of them modulo N.
//
// Per memory the comb needs fewer products than the plain fixed-base windowed table (BGMW: w-bit
// windows, t/w products, no squarings). Products per h_s^r (squarings + multiplications, each a
// full product mod n²) and table size, t = k/2:
//                               2048-bit key (t = 1024)     3072-bit key (t = 1536)
//   windowed table, w = 8       128 products,  17 MB         192 products,  38 MB
//   comb h = 12, v = 8           98 products,  17 MB         143 products,  25 MB
//   comb h = 13, v = 8 (default) 89 products,  34 MB         134 products,  50 MB
//   comb h = 16, v = 4           79 products, 134 MB         119 products, 201 MB
// against ~t squarings + t/6 products for an unprepared sliding-window power (~1,200 at 2048 bits).
// Time follows the product count (~20 µs per 4096-bit product, ~35 µs per 6144-bit one, in V8):
// measured 1.8–2.1 ms per h_s^r at 2048 bits and 4.6–4.9 ms at 3072 with the default on the 2-core
// dev machine (`npm run bench:crypto -- --comb` re-measures). Building costs one product per
// entry: ~1.3 s / ~2.5 s for the default, ~5.5 s / ~10 s for 16 × 4, paid again by every worker
// thread. 16 × 4 saves 10 products (~0.2 ms) per encryption for 4x the memory and ~4 s more build,
// which pays off only past ~21,000 ciphertexts (~1.2 million int32 values) per thread, so 13 × 8
// (2^16 entries) is the default.
//
// The evaluation reads exponent bits straight from little-endian bytes, so an encryption's random
// exponent never becomes a bigint. Table lookups are indexed by secret exponent bits: like all
// BigInt arithmetic this is not constant time (see docs/crypto.md, side channels).

/** Shape of a Lim–Lee comb: `teeth` (h) exponent bits gathered per lookup, `combs` (v) tables. */
export interface CombShape {
  readonly teeth: number
  readonly combs: number
}

/** 2^16 table entries: the measured sweet spot between products per power and build time. */
export const DEFAULT_COMB_SHAPE: CombShape = Object.freeze({ teeth: 13, combs: 8 })

/** Precomputed powers of one base modulo one odd modulus, for exponents below 2^exponentBits. */
export class FixedBaseComb {
  readonly modulus: bigint
  readonly exponentBits: number
  readonly shape: CombShape
  /** b: exponent bits per block, i.e. squarings + 1 per power. */
  readonly blockBits: number
  // tables[j][u] = G[j][u]; index 0 holds 1n and is never multiplied in.
  readonly #tables: bigint[][]
  // For lookup q (in evaluation order), the byte of the exponent holding the bit and its shift;
  // byte index −1 marks a padding position at or above exponentBits, which reads as 0.
  readonly #byteIndex: Int32Array
  readonly #bitShift: Uint8Array

  constructor (base: bigint, modulus: bigint, exponentBits: number, shape: CombShape = DEFAULT_COMB_SHAPE) {
    if (!Number.isInteger(exponentBits) || exponentBits < 1) throw new RangeError(`FixedBaseComb: expected exponentBits >= 1, got ${exponentBits}`)
    const { teeth, combs } = shape
    if (!Number.isInteger(teeth) || teeth < 1 || teeth > 20) throw new RangeError(`FixedBaseComb: expected 1 <= teeth <= 20, got ${teeth}`)
    if (!Number.isInteger(combs) || combs < 1) throw new RangeError(`FixedBaseComb: expected combs >= 1, got ${combs}`)
    this.modulus = modulus
    this.exponentBits = exponentBits
    this.shape = Object.freeze({ teeth, combs })
    this.blockBits = Math.ceil(exponentBits / (teeth * combs))
    const rowBits = combs * this.blockBits

    // bases[i·v + j] = g^(2^(i·a + j·b)), walking g^(2^s) upwards by squaring (~t squarings).
    const bases: bigint[] = []
    let power = ((base % modulus) + modulus) % modulus
    let at = 0
    for (let i = 0; i < teeth; i++) {
      for (let j = 0; j < combs; j++) {
        for (const target = i * rowBits + j * this.blockBits; at < target; at++) power = power * power % modulus
        bases.push(power)
      }
    }

    // G[j][u] = G[j][u without its lowest bit i] · bases[i·v + j]: one product per entry.
    this.#tables = []
    for (let j = 0; j < combs; j++) {
      const table = new Array<bigint>(1 << teeth)
      table[0] = 1n
      for (let u = 1; u < 1 << teeth; u++) {
        const lowest = u & -u
        const factor = bases[(31 - Math.clz32(lowest)) * combs + j]!
        const rest = u ^ lowest
        table[u] = rest === 0 ? factor : table[rest]! * factor % modulus
      }
      this.#tables.push(table)
    }

    const lookups = this.blockBits * combs * teeth
    this.#byteIndex = new Int32Array(lookups)
    this.#bitShift = new Uint8Array(lookups)
    let q = 0
    for (let s = this.blockBits - 1; s >= 0; s--) {
      for (let j = 0; j < combs; j++) {
        for (let i = 0; i < teeth; i++, q++) {
          const position = i * rowBits + j * this.blockBits + s
          this.#byteIndex[q] = position < exponentBits ? position >>> 3 : -1
          this.#bitShift[q] = position & 7
        }
      }
    }
  }

  /** Number of table entries held (excluding the implicit 1). */
  get entries (): number {
    return this.shape.combs * ((1 << this.shape.teeth) - 1)
  }

  /** Exponent length in bytes that pow() expects. */
  get exponentBytes (): number {
    return Math.ceil(this.exponentBits / 8)
  }

  /**
   * base^e mod modulus for the exponent e given as exactly `exponentBytes` little-endian bytes;
   * bits at or above exponentBits are ignored.
   */
  pow (exponent: Uint8Array): bigint {
    if (exponent.length !== this.exponentBytes) throw new RangeError(`FixedBaseComb: expected a ${this.exponentBytes}-byte exponent, got ${exponent.length} bytes`)
    const { teeth, combs } = this.shape
    const modulus = this.modulus
    const byteIndex = this.#byteIndex
    const bitShift = this.#bitShift
    let acc = 1n
    let q = 0
    for (let s = this.blockBits - 1; s >= 0; s--) {
      if (acc !== 1n) acc = acc * acc % modulus
      for (let j = 0; j < combs; j++) {
        let u = 0
        for (let i = 0; i < teeth; i++, q++) {
          const at = byteIndex[q]!
          if (at >= 0) u |= ((exponent[at]! >>> bitShift[q]!) & 1) << i
        }
        if (u !== 0) {
          const entry = this.#tables[j]![u]!
          acc = acc === 1n ? entry : acc * entry % modulus
        }
      }
    }
    return acc
  }
}
