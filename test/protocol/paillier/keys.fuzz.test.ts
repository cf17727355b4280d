// Fuzzes Paillier key JSON parsing: random JSON and mutated valid keys yield a key that passes its checks or a typed key error, quickly.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { gcd } from '../../../protocol/paillier/arith.ts'
import { MAX_KEY_BITS, MIN_KEY_BITS, privateKeyFromJSON, publicKeyFromJSON, publicKeyToJSON } from '../../../protocol/paillier/keys.ts'
import { expectTyped, FUZZ_TEST_TIMEOUT_MS, fuzzRuns, stopFuzzWatchdog } from '../../helpers/fuzz.ts'
import { testKeyJSON } from './fixtures.ts'

const KEY_ERRORS = ['KeyFormatError', 'UnsupportedKeyVersionError', 'InvalidPublicKeyError', 'DerivedHsMismatchError', 'InvalidPrivateKeyError', 'KeyTooShortError', 'KeyTooLongError']
const PUBLIC_FIELDS = ['version', 'n', 'hs']
const PRIVATE_FIELDS = ['version', 'n', 'hs', 'p', 'q']

type KeyObject = Record<string, unknown>

/** One change to a key object, described as data so a failure prints exactly what was done. */
type FieldMutation =
  | { kind: 'replace', field: string, value: unknown }
  | { kind: 'delete', field: string }
  | { kind: 'extra', field: string, value: unknown }
  | { kind: 'swap', field: string, other: string }
  | { kind: 'hex', field: string, edit: HexEdit }

type HexEdit =
  | { op: 'char', at: number, char: string }
  | { op: 'truncate', at: number }
  | { op: 'append', digits: string }
  | { op: 'prefix', text: string }
  | { op: 'upper' }

const hexDigits = (maxLength: number): fc.Arbitrary<string> => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), maxLength })

const hexEdit: fc.Arbitrary<HexEdit> = fc.oneof(
  fc.record({ op: fc.constant('char' as const), at: fc.nat(), char: fc.oneof(fc.constantFrom(...'0123456789abcdefABCDEFxg \n-'), fc.string({ minLength: 1, maxLength: 1 })) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  // Up to ~12,000 bits more: past every length bound, so the bounds (not BigInt) must stop them.
  fc.record({ op: fc.constant('append' as const), digits: fc.oneof(hexDigits(8), fc.integer({ min: 1, max: 3000 }).map(length => 'f'.repeat(length))) }),
  fc.record({ op: fc.constant('prefix' as const), text: fc.constantFrom('0', '00', '0x', '-', '+', ' ') }),
  fc.constant({ op: 'upper' as const })
)

function applyHexEdit (text: string, edit: HexEdit): string {
  switch (edit.op) {
    case 'char': {
      const at = text.length === 0 ? 0 : edit.at % text.length
      return text.slice(0, at) + edit.char + text.slice(at + 1)
    }
    case 'truncate': return text.slice(0, edit.at % (text.length + 1))
    case 'append': return text + edit.digits
    case 'prefix': return edit.text + text
    case 'upper': return text.toUpperCase()
  }
}

function fieldMutation (fields: readonly string[]): fc.Arbitrary<FieldMutation> {
  const field = fc.constantFrom(...fields)
  return fc.oneof(
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('hex' as const), field, edit: hexEdit }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('replace' as const), field, value: fc.jsonValue({ maxDepth: 2 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), field }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('extra' as const), field: fc.oneof(fc.constantFrom('x', 'lambda', 'mu', 'g', '__proto__', 'constructor'), fc.string({ maxLength: 8 })), value: fc.jsonValue({ maxDepth: 1 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('swap' as const), field, other: fc.constantFrom(...fields) }) }
  )
}

function applyFieldMutation (key: KeyObject, mutation: FieldMutation): KeyObject {
  // JSON.parse, not a spread, so a '__proto__' key becomes an own property exactly as in a key file.
  const out = JSON.parse(JSON.stringify(key)) as KeyObject
  switch (mutation.kind) {
    case 'replace': out[mutation.field] = mutation.value; break
    case 'delete': Reflect.deleteProperty(out, mutation.field); break
    case 'extra': Object.defineProperty(out, mutation.field, { value: mutation.value, enumerable: true, writable: true, configurable: true }); break
    case 'swap': [out[mutation.field], out[mutation.other]] = [out[mutation.other], out[mutation.field]]; break
    case 'hex': out[mutation.field] = applyHexEdit(String(out[mutation.field]), mutation.edit); break
  }
  return out
}

function mutatedKeys (valid: KeyObject, fields: readonly string[]): fc.Arbitrary<KeyObject> {
  return fc.array(fieldMutation(fields), { minLength: 1, maxLength: 3 }).map(list => list.reduce(applyFieldMutation, valid))
}

/** A parsed public key must satisfy what publicKeyFromParts promises, and serialize back to its input. */
function checkPublicKey (json: unknown, key: ReturnType<typeof publicKeyFromJSON>): void {
  assert.ok(key.bits >= MIN_KEY_BITS && key.bits <= MAX_KEY_BITS && (key.n & 1n) === 1n)
  assert.ok(key.hs > 1n && key.hs < key.nSquared - 1n && gcd(key.n, key.hs % key.n) === 1n)
  assert.deepEqual(publicKeyToJSON(key), json)
}

describe('paillier/keys JSON (fuzz)', function () {
  this.timeout(FUZZ_TEST_TIMEOUT_MS)
  after(stopFuzzWatchdog)

  const privateJSON = testKeyJSON(2048)
  const publicJSON = { version: privateJSON.version, n: privateJSON.n, hs: privateJSON.hs }

  // Random JSON documents, and objects of the right shape with random contents.
  const shaped = (fields: readonly string[]): fc.Arbitrary<KeyObject> => fc.record(Object.fromEntries(fields.map(field => [field, field === 'version'
    ? fc.oneof(fc.constant(1), fc.jsonValue({ maxDepth: 0 }))
    : fc.oneof(hexDigits(40), fc.integer({ min: 0, max: 1100 }).chain(length => hexDigits(length).map(digits => `1${digits}`)), fc.jsonValue({ maxDepth: 1 }))])))
  const randomJSON = fc.oneof(fc.jsonValue(), fc.anything({ maxDepth: 2 }))

  it('publicKeyFromJSON: random JSON values and random key-shaped objects', () => {
    fc.assert(fc.property(fc.oneof(randomJSON, shaped(PUBLIC_FIELDS)), json => {
      const outcome = expectTyped('publicKeyFromJSON', KEY_ERRORS, () => publicKeyFromJSON(json))
      if (outcome.ok) checkPublicKey(json, outcome.value)
    }), fuzzRuns(300))
  })

  it('publicKeyFromJSON: mutated valid keys (hex edits, wrong types, missing, extra and swapped fields, huge numbers)', () => {
    fc.assert(fc.property(mutatedKeys(publicJSON, PUBLIC_FIELDS), json => {
      const outcome = expectTyped('publicKeyFromJSON', KEY_ERRORS, () => publicKeyFromJSON(json))
      if (outcome.ok) checkPublicKey(json, outcome.value)
    }), fuzzRuns(300))
  })

  it('privateKeyFromJSON: random JSON values and random key-shaped objects', () => {
    fc.assert(fc.property(fc.oneof(randomJSON, shaped(PRIVATE_FIELDS)), json => {
      const outcome = expectTyped('privateKeyFromJSON', KEY_ERRORS, () => privateKeyFromJSON(json))
      assert.ok(!outcome.ok, 'a random object is no valid private key')
    }), fuzzRuns(300))
  })

  it('privateKeyFromJSON: mutated valid keys', () => {
    fc.assert(fc.property(mutatedKeys(privateJSON, PRIVATE_FIELDS), json => {
      const outcome = expectTyped('privateKeyFromJSON', KEY_ERRORS, () => privateKeyFromJSON(json))
      if (outcome.ok) {
        assert.equal(outcome.value.p * outcome.value.q, outcome.value.publicKey.n)
        checkPublicKey({ version: 1, n: json.n, hs: json.hs }, outcome.value.publicKey)
      }
    }), fuzzRuns(100))
  })

  it('privateKeyFromJSON: consistent n = p·q from random odd factors (the primality checks must refuse, quickly)', () => {
    // p ≡ q ≡ 3 (mod 4) and balanced, so the cheap checks pass and the primality test does the refusing.
    const factor = fc.bigInt({ min: 2n ** 1023n, max: 2n ** 1024n - 1n }).map(x => x | 3n)
    const realPrime = BigInt(`0x${String(privateJSON.p)}`)
    fc.assert(fc.property(fc.oneof(factor, fc.constant(realPrime)), factor, fc.bigInt({ min: 2n, max: 2n ** 4000n }), (p, q, hs) => {
      const json = { version: 1, n: (p * q).toString(16), hs: hs.toString(16), p: p.toString(16), q: q.toString(16) }
      const outcome = expectTyped('privateKeyFromJSON', KEY_ERRORS, () => privateKeyFromJSON(json))
      assert.ok(!outcome.ok, 'random factors make no valid private key')
    }), fuzzRuns(60))
  })
})
