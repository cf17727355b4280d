// Seeded pseudo-random numbers that Python reproduces bit for bit: mulberry32 over 32-bit integers, seeds from FNV-1a.
import { fnv1a32 } from './features.ts'

/**
 * mulberry32 (Tommy Ettinger's 32-bit generator): one 32-bit state advanced by
 * the odd constant 0x6D2B79F5, then mixed. It is not cryptographic; it only has
 * to be small, fast and expressible with 32-bit integer operations, so that
 * clients/python/examples reproduces the same stream with `& 0xFFFFFFFF`.
 */
export function mulberry32 (seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6D2B79F5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return (t ^ (t >>> 14)) >>> 0
  }
}

/** The mulberry32 stream of `seed` as doubles in [0, 1): x / 2^32. */
export function uniformRandom (seed: number): () => number {
  const next = mulberry32(seed)
  return () => next() / 2 ** 32
}

/** The seed of one named stream: FNV-1a over the UTF-8 of `parts.join('/')`, e.g. ['seed 7', 'org 2', 'round 3', 'epoch 0']. */
export function streamSeed (...parts: Array<string | number>): number {
  return fnv1a32(parts.join('/'))
}

/**
 * A uniform index in [0, n): ⌊x·n / 2^32⌋ for a 32-bit x. x·n < 2^53 for
 * n < 2^21, so the product is exact in doubles, as `(x * n) >> 32` is in Python.
 */
export function randomBelow (next: () => number, n: number): number {
  if (!Number.isInteger(n) || n < 1 || n >= 2 ** 21) throw new RangeError(`randomBelow: expected an integer n in [1, 2^21), got ${n}`)
  return Math.floor(next() * n / 2 ** 32)
}

/** Fisher–Yates: for i = n−1 … 1 swap a[i] with a[randomBelow(i + 1)]. Shuffles `items` in place and returns it. */
export function shuffleInPlace<T> (items: T[], next: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomBelow(next, i + 1)
    const swap = items[i] as T
    items[i] = items[j] as T
    items[j] = swap
  }
  return items
}

/** The permutation 0 … n−1 shuffled by the stream `seed`. */
export function permutation (n: number, seed: number): number[] {
  return shuffleInPlace(Array.from({ length: n }, (_, i) => i), mulberry32(seed))
}
