// Fuzzes parseConfigText: random, mutated and deeply nested config text yields an object or a ConfigError, quickly.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { parseConfigText } from '../../config/file.ts'
import { expectTyped, FUZZ_TEST_TIMEOUT_MS, fuzzRuns, jsonFragment, mutatedText, stopFuzzWatchdog } from '../helpers/fuzz.ts'
import { VALID_CONFIG_TEXTS } from './arbitraries.ts'

/** What parseConfigText must do: a plain top-level object exactly when JSON.parse gives one. */
function parseChecked (text: string): void {
  const outcome = expectTyped('parseConfigText', ['ConfigError'], () => parseConfigText(text, '/etc/fedagg.json'))
  let reference: unknown
  try {
    reference = JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text)
  } catch {
    reference = undefined
  }
  const isObject = typeof reference === 'object' && reference !== null && !Array.isArray(reference)
  assert.equal(outcome.ok, isObject)
  // Shallow on purpose: a deep comparison of 100,000-level nesting would overflow the test's own stack.
  if (outcome.ok) assert.deepEqual(Object.keys(outcome.value), Object.keys(reference as object))
  // Every refusal names the file, so an operator knows which config is broken.
  else assert.match(outcome.error.message, /^config: \/etc\/fedagg\.json/)
}

describe('config/file (fuzz)', function () {
  this.timeout(FUZZ_TEST_TIMEOUT_MS)
  after(stopFuzzWatchdog)

  it('random text, random JSON and JSON fragments', () => {
    const texts = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.json({ maxDepth: 4 }),
      fc.array(jsonFragment, { maxLength: 6 }).map(parts => parts.join('')),
      fc.tuple(fc.constantFrom('\uFEFF', ''), fc.json()).map(([bom, json]) => bom + json)
    )
    fc.assert(fc.property(texts, parseChecked), fuzzRuns(300))
  })

  it('mutated valid config files (byte damage, truncation, splices, deep nesting)', () => {
    fc.assert(fc.property(mutatedText(fc.constantFrom(...VALID_CONFIG_TEXTS)), parseChecked), fuzzRuns(300))
  })

  it('deeply nested text, closed or not, is refused or parsed without exhausting the stack', () => {
    const nested = fc.tuple(fc.constantFrom('[', '{"a":', '{"listen":[', '{"limits":'), fc.integer({ min: 1, max: 100_000 }), fc.boolean()).map(([open, depth, closed]) => {
      const close = open.startsWith('{') ? (open.endsWith('[') ? ']}' : '}') : ']'
      return open.repeat(depth) + (closed ? (open === '[' ? '' : '1') + close.repeat(depth) : '')
    })
    fc.assert(fc.property(nested, parseChecked), fuzzRuns(40))
  })
})
