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
// entry: ~1.3 s / ~2.5 s for the default, ~5.5 s / ~10 s for 16 × 4, paid once per key per process
// (EncryptionPool builds it on one thread into shared memory, and every thread reads that copy).
// 16 × 4 saves 10 products (~0.2 ms) per encryption for 4x the memory and ~4 s more build, which
// pays off only past ~20,000 ciphertexts (~1.1 million int32 values) per process, so 13 × 8
// (2^16 entries) is the default.
//
// The table is one flat byte array of fixed-width big-endian entries (width = byte length of the
// modulus), not an array of bigints, so it can live in a SharedArrayBuffer that every thread of a
// process reads: one copy and one build instead of one per thread. Each lookup turns its entry into
// a bigint through hex (bytes.ts): measured 1.4 µs per 512-byte entry and 1.9 µs per 768-byte one
// against 9–11 µs and 18–20 µs per product, so 80 lookups per h_s^r at 2048 bits and 120 at 3072
// cost about 5 %. Side by side with the former bigint[][] table (one process, same exponents,
// load average 2): 1.255 → 1.332 ms per h_s^r at 2048 bits (+6 %), 3.498 → 3.682 ms at 3072
// (+5 %). Writing the entries out (hex, and the first touch of 34 MB) adds ~0.3 s to the build.
//
// The evaluation reads exponent bits straight from little-endian bytes, so an encryption's random
// exponent never becomes a bigint. Table lookups are indexed by secret exponent bits: like all
// BigInt arithmetic this is not constant time (see docs/crypto.md, side channels).
import { byteLength, bytesToBigint, writeFixedWidth } from './bytes.ts'

/** Shape of a Lim–Lee comb: `teeth` (h) exponent bits gathered per lookup, `combs` (v) tables. */
export interface CombShape {
  readonly teeth: number
  readonly combs: number
}

/** 2^16 table entries: the measured sweet spot between products per power and build time. */
export const DEFAULT_COMB_SHAPE: CombShape = Object.freeze({ teeth: 13, combs: 8 })

/** Where a comb's table comes from. */
export interface CombTableOptions {
  /**
   * Build the table in a SharedArrayBuffer, so that other threads can make combs from `table`
   * without a copy (posting a SharedArrayBuffer shares its memory). Ignored when `table` is given.
   * @default false
   */
  shared?: boolean
  /**
   * The `table` of a comb already built for the same base, modulus, exponentBits and shape, used
   * as is instead of building one. Its length is checked, and so are the two entries that pin the
   * base and the block size; the rest is trusted, so pass only tables this process built.
   */
  table?: Uint8Array
}

/** Precomputed powers of one base modulo one odd modulus, for exponents below 2^exponentBits. */
export class FixedBaseComb {
  readonly modulus: bigint
  readonly exponentBits: number
  readonly shape: CombShape
  /** b: exponent bits per block, i.e. squarings + 1 per power. */
  readonly blockBits: number
  /**
   * The table: G[j][u] for j in [0, combs) and u in [1, 2^teeth) (G[j][0] = 1 is implicit), in that
   * order, each entryBytes big-endian bytes. Give it to another comb as CombTableOptions.table;
   * never write to it.
   */
  readonly table: Uint8Array
  /** Bytes per table entry: the byte length of the modulus. */
  readonly entryBytes: number
  // For lookup q (in evaluation order), the byte of the exponent holding the bit and its shift;
  // byte index −1 marks a padding position at or above exponentBits, which reads as 0.
  readonly #byteIndex: Int32Array
  readonly #bitShift: Uint8Array

  /**
   * Builds the comb for base^e mod modulus (one product per entry: ~1.3 s at 2048 bits with the
   * default shape), or adopts a table built before (options.table), which costs b squarings.
   * Throws RangeError for an impossible shape or exponent length, or a table that does not fit.
   */
  constructor (base: bigint, modulus: bigint, exponentBits: number, shape: CombShape = DEFAULT_COMB_SHAPE, options: CombTableOptions = {}) {
    if (!Number.isInteger(exponentBits) || exponentBits < 1) throw new RangeError(`FixedBaseComb: expected exponentBits >= 1, got ${exponentBits}`)
    const { teeth, combs } = shape
    if (!Number.isInteger(teeth) || teeth < 1 || teeth > 20) throw new RangeError(`FixedBaseComb: expected 1 <= teeth <= 20, got ${teeth}`)
    if (!Number.isInteger(combs) || combs < 1) throw new RangeError(`FixedBaseComb: expected combs >= 1, got ${combs}`)
    this.modulus = modulus
    this.exponentBits = exponentBits
    this.shape = Object.freeze({ teeth, combs })
    this.blockBits = Math.ceil(exponentBits / (teeth * combs))
    this.entryBytes = byteLength(modulus)
    const g = ((base % modulus) + modulus) % modulus
    if (options.table === undefined) {
      this.table = this.#build(g, options.shared === true)
    } else {
      this.table = options.table
      this.#checkTable(g)
    }

    const rowBits = combs * this.blockBits
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
          const entry = this.#entry(j, u)
          acc = acc === 1n ? entry : acc * entry % modulus
        }
      }
    }
    return acc
  }

  // G[j][u] for u >= 1, read from the table's bytes.
  #entry (j: number, u: number): bigint {
    return bytesToBigint(this.table, this.#offset(j, u), this.entryBytes)
  }

  #offset (j: number, u: number): number {
    return (j * ((1 << this.shape.teeth) - 1) + u - 1) * this.entryBytes
  }

  #build (g: bigint, shared: boolean): Uint8Array {
    const { teeth, combs } = this.shape
    const modulus = this.modulus
    const rowBits = combs * this.blockBits
    const byteCount = this.entries * this.entryBytes
    const table = new Uint8Array(shared ? new SharedArrayBuffer(byteCount) : new ArrayBuffer(byteCount))

    // bases[i·v + j] = g^(2^(i·a + j·b)), walking g^(2^s) upwards by squaring (~t squarings).
    const bases: bigint[] = []
    let power = g
    let at = 0
    for (let i = 0; i < teeth; i++) {
      for (let j = 0; j < combs; j++) {
        for (const target = i * rowBits + j * this.blockBits; at < target; at++) power = power * power % modulus
        bases.push(power)
      }
    }

    // G[j][u] = G[j][u without its lowest bit i] · bases[i·v + j]: one product per entry. One
    // block's entries are kept as bigints while it is built, so no entry is read back from bytes.
    for (let j = 0; j < combs; j++) {
      const block = new Array<bigint>(1 << teeth)
      for (let u = 1; u < 1 << teeth; u++) {
        const lowest = u & -u
        const factor = bases[(31 - Math.clz32(lowest)) * combs + j]!
        const rest = u ^ lowest
        block[u] = rest === 0 ? factor : block[rest]! * factor % modulus
        writeFixedWidth(block[u]!, this.entryBytes, table, this.#offset(j, u))
      }
    }
    return table
  }

  // A foreign table must have this shape's length, and its entries G[0][1] = g and
  // bases[1] = g^(2^b) (G[1][1], or G[0][2] with one comb) must hold: that pins the base and the
  // block size, i.e. the exponent length the table was laid out for.
  #checkTable (g: bigint): void {
    const expected = this.entries * this.entryBytes
    if (this.table.byteLength !== expected) throw new RangeError(`FixedBaseComb: expected a ${expected}-byte table for this modulus and shape, got ${this.table.byteLength} bytes`)
    if (this.#entry(0, 1) !== g) throw new RangeError('FixedBaseComb: the table was not built for this base')
    const { teeth, combs } = this.shape
    if (teeth * combs < 2) return
    let power = g
    for (let s = 0; s < this.blockBits; s++) power = power * power % this.modulus
    if ((combs > 1 ? this.#entry(1, 1) : this.#entry(0, 2)) !== power) throw new RangeError('FixedBaseComb: the table was not built for this exponent length')
  }
}
