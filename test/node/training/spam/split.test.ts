// Splits: a fixed test set, disjoint shards with both classes, and label skew as defined in split.ts.
import assert from 'node:assert/strict'
import type { Email } from '../../../../node/training/spam/corpus.ts'
import { TEST_FRACTION, shardSizes, spamCounts, splitCorpus } from '../../../../node/training/spam/split.ts'
import { sampleSpamCorpus } from '../../../../node/training/spam/corpus.ts'

const keys = (emails: Email[]): string[] => emails.map(email => email.key)
const spamShare = (shard: Email[]): number => shard.filter(email => email.label === 1).length / shard.length

describe('node/training/spam/split', function () {
  this.timeout(60_000)
  const emails = sampleSpamCorpus(150)

  it('holds out the same 20% of each class for every run, split and organization count', () => {
    const iid = splitCorpus(emails, { organizations: 5 })
    for (const label of [0, 1]) {
      assert.equal(iid.test.filter(email => email.label === label).length, Math.round(TEST_FRACTION * 150))
    }
    assert.deepEqual(keys(splitCorpus(emails, { organizations: 5 }).test), keys(iid.test))
    assert.deepEqual(keys(splitCorpus(emails, { organizations: 3, kind: 'label-skew', skew: 0.8 }).test), keys(iid.test))
    assert.deepEqual(keys(splitCorpus([...emails].reverse(), { organizations: 5 }).test), keys(iid.test), 'independent of input order')
  })

  it('gives disjoint shards of near-equal size with both classes, covering the rest', () => {
    for (const skew of [0, 0.5, 1]) {
      const { test, shards } = splitCorpus(emails, { organizations: 5, kind: 'label-skew', skew })
      const all = [...test, ...shards.flat()]
      assert.equal(new Set(keys(all)).size, emails.length, `skew ${skew}: every email exactly once`)
      assert.deepEqual(shards.map(shard => shard.length), shardSizes(emails.length - test.length, 5))
      for (const shard of shards) assert.ok(shard.some(e => e.label === 0) && shard.some(e => e.label === 1), `skew ${skew}: both classes`)
    }
  })

  it('is deterministic', () => {
    const a = splitCorpus(emails, { organizations: 5, kind: 'label-skew', skew: 0.3 })
    const b = splitCorpus(emails, { organizations: 5, kind: 'label-skew', skew: 0.3 })
    assert.deepEqual(a.shards.map(keys), b.shards.map(keys))
  })

  it('IID is skew 0: every shard has the overall spam ratio, up to rounding', () => {
    const iid = splitCorpus(emails, { organizations: 5 })
    assert.deepEqual(iid.shards.map(keys), splitCorpus(emails, { organizations: 5, kind: 'label-skew', skew: 0 }).shards.map(keys))
    const spam = iid.shards.map(shard => shard.filter(e => e.label === 1).length)
    assert.ok(Math.max(...spam) - Math.min(...spam) <= 1, `spam counts ${spam.join(',')}`)
  })

  it('label skew 1 is the extreme split: first organizations all spam but one ham, last ones one spam', () => {
    const sizes = [10, 10, 10, 10, 10]
    assert.deepEqual(spamCounts(sizes, 15, 1), [9, 3, 1, 1, 1])
    assert.deepEqual(spamCounts(sizes, 15, 0), [3, 3, 3, 3, 3])
    assert.deepEqual(spamCounts(sizes, 15, 0.5), [6, 3, 2, 2, 2])
  })

  it('spreads the shards\' spam ratios further as the skew grows', () => {
    let previous = -1
    for (const skew of [0, 0.25, 0.5, 0.75, 1]) {
      const shares = splitCorpus(emails, { organizations: 5, kind: 'label-skew', skew }).shards.map(spamShare)
      const spread = Math.max(...shares) - Math.min(...shares)
      assert.ok(spread > previous, `skew ${skew}: spread ${spread} after ${previous}`)
      previous = spread
    }
  })

  it('refuses a skew outside [0, 1] and data too small for both classes everywhere', () => {
    assert.throws(() => splitCorpus(emails, { organizations: 5, kind: 'label-skew', skew: 1.5 }), { name: 'InvalidSplitError' })
    assert.throws(() => splitCorpus(emails, { organizations: 5, kind: 'label-skew', skew: Number.NaN }), { name: 'InvalidSplitError' })
    assert.throws(() => splitCorpus(sampleSpamCorpus(4), { organizations: 5 }), { name: 'InvalidSplitError' })
  })
})
