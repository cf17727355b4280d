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
// With a fixed memory budget the comb needs fewer multiplications than the plain fixed-base
// windowed table (BGMW): for t = 1024 (2048-bit keys) and 2^15 entries, w-bit windows take
// t/w = 128 products (w = 8), while the comb with h = 12, v = 8 takes 98. The default h = 13,
// v = 8 (2^16 entries) takes 9 squarings + 80 products = 89 at t = 1024 and 14 + 120 = 134 at
// t = 1536, instead of the ~t squarings + t/6 products of an unprepared sliding-window power.
// Memory is v·(2^h − 1) residues of N: 65,528 × 512 B ≈ 34 MB for a 2048-bit key (N = n²),
// 65,528 × 768 B ≈ 50 MB for 3072 bits; building costs one modular product per entry
// (≈ 1.3 s / 2.4 s). Measured per h_s^r on the 2-core Xeon dev machine (ms, 2048-bit key):
//   BGMW w=8 (33 MB? no: 17 MB) 2.5 · comb 12×8 (17 MB) 1.9 · comb 13×8 (34 MB) 1.8 ·
//   comb 16×4 (134 MB, 5.5 s to build) 1.65.
// Past 2^16 entries the gain is ~10 % for 4x the memory and build time, and the build is paid per
// worker thread, so 13×8 is the default. `npm run bench:crypto -- --comb` re-measures.
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
