// Streaming homomorphic fold: multiplies submissions into one running product mod n², so memory is one vector.
//
// Paillier is additively homomorphic: E(a)·E(b) mod n² = E(a + b). Multiplying
// every client's ciphertext i together therefore encrypts the sum of their
// plaintext i, which under the packing plan is the slot-wise sum of their vectors.
import { CiphertextCountError, FoldInputError, InvalidAccumulatorError } from './errors.ts'

/**
 * Running product of submissions, ciphertext by ciphertext. It starts at all
 * 1s, the multiplicative identity, which is E(0) with r = 1: a valid
 * encryption of the all-zero aggregate, but a deterministic one, so the
 * aggregator re-randomizes before releasing anything.
 *
 * Each submission is folded whole by add(), and only after every ciphertext is
 * checked, so a rejected submission leaves the product untouched. There is
 * deliberately no chunk-wise fold: a submission streamed in chunks is
 * validated and persisted before it is acknowledged, and folding it only then,
 * in one call, means a stream that breaks halfway can never leave a partial
 * submission in the aggregate.
 */
export class CiphertextAccumulator {
  readonly #nSquared: bigint
  readonly #product: bigint[]
  #contributions = 0

  constructor (nSquared: bigint, ciphertextCount: number) {
    if (typeof nSquared !== 'bigint' || nSquared < 4n) {
      throw new InvalidAccumulatorError(`nSquared: expected a bigint >= 4, got ${String(nSquared)}`)
    }
    if (!Number.isSafeInteger(ciphertextCount) || ciphertextCount < 1) {
      throw new InvalidAccumulatorError(`ciphertextCount: expected an integer >= 1, got ${ciphertextCount}`)
    }
    this.#nSquared = nSquared
    this.#product = new Array<bigint>(ciphertextCount).fill(1n)
  }

  /** Ciphertexts per submission. */
  get ciphertextCount (): number {
    return this.#product.length
  }

  /** Submissions folded in so far. */
  get contributions (): number {
    return this.#contributions
  }

  /**
   * Folds one whole submission: product[i] = product[i] · c[i] mod n².
   * Throws CiphertextCountError on a wrong count and FoldInputError
   * unless every c satisfies 0 < c < n², before multiplying anything in.
   */
  add (ciphertexts: readonly bigint[]): void {
    if (ciphertexts.length !== this.#product.length) {
      throw new CiphertextCountError(`expected ${this.#product.length} ciphertexts, got ${ciphertexts.length}`)
    }
    for (let i = 0; i < ciphertexts.length; i++) {
      const c = ciphertexts[i]
      if (typeof c !== 'bigint') throw new FoldInputError(i, `expected a bigint, got ${typeof c}`)
      if (c <= 0n) throw new FoldInputError(i, `expected 0 < c < n², got ${c}`)
      if (c >= this.#nSquared) throw new FoldInputError(i, `expected 0 < c < n², got a ${c.toString(2).length}-bit value >= n²`)
    }
    for (let i = 0; i < ciphertexts.length; i++) {
      this.#product[i] = (this.#product[i]! * ciphertexts[i]!) % this.#nSquared
    }
    this.#contributions++
  }

  /** A copy of the running product, so callers cannot alter the aggregate. */
  value (): bigint[] {
    return [...this.#product]
  }
}
