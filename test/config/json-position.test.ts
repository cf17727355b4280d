// Tests the JSON error locator: exact positions, and agreement with JSON.parse on what is valid.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { findJsonSyntaxError } from '../../config/json-position.ts'

function parses (text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

describe('config/json-position', () => {
  it('locates errors by line and column', () => {
    assert.deepEqual(findJsonSyntaxError('{\n  "a": 1\n  "b": 2\n}'), { offset: 13, line: 3, column: 3, expected: '"," or "}"', found: '"\\""' })
    assert.deepEqual(findJsonSyntaxError('{"a": tru}'), { offset: 9, line: 1, column: 10, expected: '"true"', found: '"}"' })
    assert.deepEqual(findJsonSyntaxError(''), { offset: 0, line: 1, column: 1, expected: 'a value', found: 'end of input' })
    assert.equal(findJsonSyntaxError('{"a": [1, {"b": null}], "c": -1.5e+3, "d": "\\u00e9\\n"}'), undefined)
  })

  it('agrees with JSON.parse on valid documents', () => {
    fc.assert(fc.property(fc.json(), text => {
      assert.equal(findJsonSyntaxError(text), undefined)
    }))
  })

  it('agrees with JSON.parse on mangled documents', () => {
    const mangled = fc.tuple(fc.json(), fc.nat(), fc.constantFrom('', ',', '}', ']', '"', ':', '0', '-', '.', 'e', '\\', '\n', 't', ' '))
      .map(([text, at, insert]) => {
        const i = at % (text.length + 1)
        return text.slice(0, i) + insert + text.slice(i + (at % 2))
      })
    fc.assert(fc.property(fc.oneof(mangled, fc.string()), text => {
      assert.equal(findJsonSyntaxError(text) === undefined, parses(text), JSON.stringify(text))
    }), { numRuns: 2000 })
  })
})
