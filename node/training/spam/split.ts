// The fixed held-out test set and the organizations' disjoint training shards, IID or label-skewed.
//
// Test set: each class is shuffled by a fixed seed and its first round(20%) go
// to the test set, so it is the same for every run, split and number of
// organizations. The rest is training data, N emails of which S are spam.
//
// Shards: organization j gets n_j = ⌊N/O⌋ (+1 for the first N mod O) emails, of
// which c_j are spam. With skew s ∈ [0, 1]:
//   c_j = largest-remainder rounding of (1 − s)·a_j + s·e_j, Σ c_j = S, where
//   a_j = S·n_j/N is the IID share (every shard has the overall spam ratio) and
//   e_j is the most extreme split that still leaves every organization at least
//   one email of each class: organizations in order take as much spam as they can,
//   e_j = min(n_j − 1, S − Σ_{i<j} e_i − (O − 1 − j)).
// s = 0 is the IID split (`--split iid`); s = 1 gives the first organizations
// nothing but spam except one ham each, and the last ones one spam each. Both a_j and
// e_j lie in [1, n_j − 1], so every rounding of their mix does too.
import { FedaggError } from '../../../protocol/errors.ts'
import type { Email } from './corpus.ts'
import { permutation, streamSeed } from './random.ts'

export const TEST_FRACTION = 0.2
/** Seeds the test selection and the shard assignment; changing it changes every reported figure. */
export const SPLIT_SEED = 'fedagg/spam-split/v1'

export type SplitKind = 'iid' | 'label-skew'

export interface SplitOptions {
  organizations: number
  /** @default 'iid' */
  kind?: SplitKind
  /** For 'label-skew': s in [0, 1]. */
  skew?: number
}

export interface CorpusSplit {
  test: Email[]
  /** Disjoint training shards, one per organization, each with both classes. */
  shards: Email[][]
}

export class InvalidSplitError extends FedaggError {
  static override name = 'InvalidSplitError'
}

export function splitCorpus (emails: readonly Email[], options: SplitOptions): CorpusSplit {
  const { organizations } = options
  const skew = options.kind === 'label-skew' ? options.skew : 0
  if (!Number.isInteger(organizations) || organizations < 1) throw new InvalidSplitError(`organizations: expected a positive integer, got ${organizations}`)
  if (typeof skew !== 'number' || !(skew >= 0 && skew <= 1)) throw new InvalidSplitError(`skew: expected a number in [0, 1], got ${String(skew)}`)
  const test: Email[] = []
  const train: Record<0 | 1, Email[]> = { 0: [], 1: [] }
  for (const label of [0, 1] as const) {
    // Sorted first, so the split depends on which emails there are, never on their order.
    const members = emails.filter(email => email.label === label).sort(byKey)
    const shuffled = permutation(members.length, streamSeed(SPLIT_SEED, 'test', label)).map(i => members[i] as Email)
    const held = Math.round(TEST_FRACTION * members.length)
    test.push(...shuffled.slice(0, held))
    train[label] = shuffled.slice(held)
  }
  const sizes = shardSizes(train[0].length + train[1].length, organizations)
  const spam = spamCounts(sizes, train[1].length, skew)
  const shards: Email[][] = []
  let spamTaken = 0
  let hamTaken = 0
  sizes.forEach((size, j) => {
    const spamCount = spam[j] as number
    shards.push([...train[1].slice(spamTaken, spamTaken + spamCount), ...train[0].slice(hamTaken, hamTaken + size - spamCount)])
    spamTaken += spamCount
    hamTaken += size - spamCount
  })
  return { test: test.sort(byKey), shards: shards.map(shard => shard.sort(byKey)) }
}

/** n_j = ⌊N/O⌋, plus one for the first N mod O organizations. */
export function shardSizes (total: number, organizations: number): number[] {
  return Array.from({ length: organizations }, (_, j) => Math.floor(total / organizations) + (j < total % organizations ? 1 : 0))
}

/** c_j for skew s (see the top of this file). */
export function spamCounts (sizes: readonly number[], spam: number, skew: number): number[] {
  const total = sizes.reduce((a, b) => a + b, 0)
  const organizations = sizes.length
  if (spam < organizations || total - spam < organizations) {
    throw new InvalidSplitError(`split: every organization needs both classes, but the training data has ${spam} spam and ${total - spam} ham for ${organizations} organizations`)
  }
  let left = spam
  const extreme = sizes.map((size, j) => {
    const take = Math.min(size - 1, left - (organizations - 1 - j))
    left -= take
    return take
  })
  const targets = sizes.map((size, j) => (1 - skew) * spam * size / total + skew * (extreme[j] as number))
  return largestRemainder(targets, spam)
}

/** Rounds `targets` (which sum to `total`) to integers with the same sum: floors, then +1 for the largest fractional parts (ties to the lower index). */
function largestRemainder (targets: readonly number[], total: number): number[] {
  const counts = targets.map(Math.floor)
  const short = total - counts.reduce((a, b) => a + b, 0)
  const order = targets.map((t, j) => ({ j, rest: t - Math.floor(t) })).sort((a, b) => b.rest - a.rest || a.j - b.j)
  for (let i = 0; i < short; i++) {
    const j = (order[i] as { j: number }).j
    counts[j] = (counts[j] as number) + 1
  }
  return counts
}

function byKey (a: Email, b: Email): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0
}
