// Tests parsing and validation of vector specs and value encodings.
import assert from 'node:assert/strict'
import { MAX_INT_BITS } from '../../../protocol/encoding/constants.ts'
import { formatEncoding, parseEncoding, validateVectorSpec } from '../../../protocol/encoding/spec.ts'
import type { VectorSpec } from '../../../protocol/encoding/spec.ts'

const invalidSpec = { name: 'InvalidVectorSpecError' }

describe('protocol/encoding/spec', () => {
  describe('parseEncoding', () => {
    it('parses int:<bits>', () => {
      assert.deepEqual(parseEncoding('int:32'), { kind: 'int', bits: 32 })
      assert.deepEqual(parseEncoding('int:1'), { kind: 'int', bits: 1 })
      assert.deepEqual(parseEncoding(`int:${MAX_INT_BITS}`), { kind: 'int', bits: 62 })
    })

    it('parses fixed:<f> with the clip supplied separately', () => {
      assert.deepEqual(parseEncoding('fixed:16', { clip: 1.5 }), { kind: 'fixed', fractionBits: 16, clip: 1.5 })
      assert.deepEqual(parseEncoding('fixed:0', { clip: 100 }), { kind: 'fixed', fractionBits: 0, clip: 100 })
    })

    it('round-trips through formatEncoding', () => {
      for (const text of ['int:8', 'int:62', 'fixed:0', 'fixed:24']) {
        assert.equal(formatEncoding(parseEncoding(text, { clip: 2 })), text)
      }
    })

    for (const text of ['int:0', 'int:63', 'int:-1', 'int:3.5', 'int:', 'int', 'int:32 ', ' int:32', 'INT:32', 'uint:8', 'float:32', 'fixed:54', 'fixed:x', '', 'int:0032x', 'int:032', 'fixed:016']) {
      it(`refuses ${JSON.stringify(text)}`, () => {
        assert.throws(() => parseEncoding(text, { clip: 1 }), invalidSpec)
      })
    }

    it('refuses fixed without a clip, or with a clip that is not finite and positive', () => {
      assert.throws(() => parseEncoding('fixed:16'), { name: 'InvalidVectorSpecError', message: /clip/ })
      for (const clip of [0, -1, Number.NaN, Infinity]) {
        assert.throws(() => parseEncoding('fixed:16', { clip }), { name: 'InvalidVectorSpecError', message: /encoding\.clip/ })
      }
    })

    it('refuses a clip whose offset ceil(C·2^f) is not an exact double', () => {
      assert.doesNotThrow(() => parseEncoding('fixed:20', { clip: 2 ** 32 }))
      assert.throws(() => parseEncoding('fixed:20', { clip: 2 ** 33 }), invalidSpec)
    })
  })

  describe('validateVectorSpec', () => {
    const good: VectorSpec = { length: 10, encoding: { kind: 'int', bits: 32 }, maxParticipants: 16 }

    it('accepts a valid spec, weighted or not', () => {
      validateVectorSpec(good)
      validateVectorSpec({ ...good, weightBits: 16 })
      validateVectorSpec({ ...good, encoding: { kind: 'fixed', fractionBits: 16, clip: 1 } })
    })

    const bad: Array<[string, unknown]> = [
      ['length', { ...good, length: 0 }],
      ['length', { ...good, length: 1.5 }],
      ['length', { ...good, length: 2 ** 24 + 1 }],
      ['maxParticipants', { ...good, maxParticipants: 0 }],
      ['maxParticipants', { ...good, maxParticipants: '16' }],
      ['weightBits', { ...good, weightBits: 0 }],
      ['weightBits', { ...good, weightBits: 63 }],
      ['encoding.bits', { ...good, encoding: { kind: 'int', bits: 0 } }],
      ['encoding.kind', { ...good, encoding: { kind: 'float', bits: 8 } }],
      ['encoding:', { ...good, encoding: null }],
      ['encoding.fractionBits', { ...good, encoding: { kind: 'fixed', fractionBits: -1, clip: 1 } }]
    ]
    for (const [field, spec] of bad) {
      it(`names the field ${field}`, () => {
        assert.throws(() => validateVectorSpec(spec as VectorSpec), { name: 'InvalidVectorSpecError', message: new RegExp(`^${field.replace('.', '\\.')}`) })
      })
    }
  })
})
