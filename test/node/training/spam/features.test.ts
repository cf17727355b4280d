// Hashed features: FNV-1a known answers, the tokenization rules, normalization, and identity with the Python trainer's features.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { FEATURE_DIMENSIONS, featurize, fnv1a32 } from '../../../../node/training/spam/features.ts'
import { NO_PYTHON_MESSAGE, PYTHON_EXAMPLES, pythonWithNumpy, runPythonJson } from '../../../helpers/python.ts'
import { sampleSpamCorpus } from '../../../../node/training/spam/corpus.ts'

function binOf (token: string): number {
  return fnv1a32(token) % FEATURE_DIMENSIONS
}

function binsOf (tokens: string[]): number[] {
  return [...new Set(tokens.map(binOf))].sort((a, b) => a - b)
}

describe('node/training/spam/features', function () {
  this.timeout(120_000)

  it('computes FNV-1a 32-bit known answers', () => {
    assert.equal(fnv1a32(''), 0x811c9dc5)
    assert.equal(fnv1a32('a'), 0xe40c292c)
    assert.equal(fnv1a32('foobar'), 0xbf9cf968)
  })

  it('lowercases ASCII, splits on everything else, keeps tokens of 2 to 40 characters', () => {
    const long40 = 'x'.repeat(40)
    const text = `Buy CHEAP-pills! a 42 ${long40} ${'y'.repeat(41)} café naïve\tFree`
    const features = featurize(text)
    // 'a' is too short, 41 y's too long; 'caf' and 'na'/'ve' are cut by the non-ASCII letters ('e' and 'ï' alone).
    assert.deepEqual([...features.indices], binsOf(['buy', 'cheap', 'pills', '42', long40, 'caf', 'na', 've', 'free']))
    assert.equal(features.value, 1 / Math.sqrt(features.indices.length))
  })

  it('is binary: a repeated token sets its bin once', () => {
    assert.deepEqual(featurize('spam spam SPAM spam'), { indices: Uint32Array.of(binOf('spam')), value: 1 })
  })

  it('gives a zero vector for text without a kept token', () => {
    assert.deepEqual(featurize('a b c ! é'), { indices: new Uint32Array(0), value: 0 })
  })

  it('has unit L2 norm and ascending distinct indices on real emails', () => {
    for (const email of sampleSpamCorpus(20)) {
      const { indices, value } = featurize(email.text)
      assert.ok(indices.length > 0)
      for (let i = 1; i < indices.length; i++) assert.ok((indices[i] as number) > (indices[i - 1] as number))
      assert.ok(Math.abs(indices.length * value * value - 1) < 1e-12)
    }
  })

  it('matches the Python trainer\'s features bit for bit (python3)', async function () {
    const python = pythonWithNumpy()
    if (python === undefined) {
      console.warn(`skipping: ${NO_PYTHON_MESSAGE}`)
      this.skip()
    }
    const emails = sampleSpamCorpus(100)
    // Non-ASCII text, a lone surrogate and over-long runs, beside real emails.
    const texts = [...emails.map(email => email.text), 'Ünïcödé Straße ΚΑΛΗΜΕΡΑ 東京 \ud800 K', `${'ab'.repeat(30)} end`]
    const theirs = await runPythonJson<Array<{ indices: number[], value: number }>>(python, join(PYTHON_EXAMPLES, 'spam_model.py'), ['features'], texts.map(text => ({ text })))
    assert.equal(theirs.length, texts.length)
    texts.forEach((text, i) => {
      const ours = featurize(text)
      assert.deepEqual(theirs[i], { indices: [...ours.indices], value: ours.value }, `email ${i}`)
    })
  })
})
