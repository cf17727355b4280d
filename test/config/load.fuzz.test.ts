// Fuzzes loadConfig: random and mutated files, FEDAGG_* values and flags yield a valid config or one ConfigError, quickly.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { CONFIG_FIELDS, configSchema, loadConfig } from '../../config/index.ts'
import { expectTypedAsync, FUZZ_TEST_TIMEOUT_MS, fuzzRuns, jsonFragment, mutatedText, stopFuzzWatchdog } from '../helpers/fuzz.ts'
import { VALID_CONFIG_TEXTS } from './arbitraries.ts'
import { PEER_ID, tempConfigDir } from './helpers.ts'

/** Text an operator could put in a variable or a flag: near-miss values of every kind, and junk. */
const envText = fc.oneof(
  fc.constantFrom('', ' ', '0', '1', '-1', '2048', '3072', '65535', '65536', '1e3', '1.5', '.5', '+7', 'NaN', 'Infinity', '0x10', 'true', 'off', 'YES',
    'client', 'coordinator,client', 'client,client', ',,,', 'debug', 'int:32', 'fixed:16', 'int:99', '127.0.0.1', '::1', '10.0.0.1', 'localhost',
    '/ip4/127.0.0.1/tcp/0', `/ip4/10.0.0.1/tcp/4001/p2p/${PEER_ID}`, '/ip4/10.0.0.1/tcp/4001', '/dns4/x/tcp/1/p2p/notapeer'),
  fc.string({ maxLength: 60 }),
  fc.double().map(String),
  fc.integer().map(String),
  // Long digit runs: the number sniffing in fromText must stay linear in the length.
  fc.tuple(fc.integer({ min: 1_000, max: 50_000 }), fc.constantFrom('', 'x', '.', '.x', 'e', 'e+')).map(([length, tail]) => '1'.repeat(length) + tail),
  // Lists of hundreds of bad items: each one is its own issue, at ~30 µs per item.
  fc.integer({ min: 100, max: 2_000 }).map(length => 'a,'.repeat(length))
)

const knownEnv = fc.constantFrom(...CONFIG_FIELDS.map(field => field.env))
const envName = fc.oneof(
  { weight: 6, arbitrary: knownEnv },
  { weight: 1, arbitrary: knownEnv.map(name => name.toLowerCase()) },
  { weight: 1, arbitrary: knownEnv.map(name => `${name}_X`) },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }).map(text => `FEDAGG_${text}`) },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 100_000 }).map(length => `FEDAGG_${'X'.repeat(length)}`) },
  { weight: 1, arbitrary: fc.constantFrom('FEDAGG_CONFIG', 'FEDAGG_', 'HOME', 'PATH') }
)
const environment = fc.dictionary(envName, envText, { maxKeys: 4, noNullPrototype: true })

const knownFlag = fc.constantFrom(...CONFIG_FIELDS.map(field => field.name))
const flagName = fc.oneof(
  { weight: 6, arbitrary: knownFlag },
  { weight: 1, arbitrary: knownFlag.map(name => name.replace(/[A-Z]/g, ch => `-${ch.toLowerCase()}`)) },
  { weight: 1, arbitrary: knownFlag.map(name => `${name}.extra`) },
  { weight: 1, arbitrary: fc.constantFrom('_', '$0', '__proto__', 'constructor', 'toString', 'limits', 'round.', '.', '') },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 100_000 }).map(length => 'x'.repeat(length)) }
)
/** Values as yargs or a library caller might pass them, including types no parser produces. */
const flagValue = fc.oneof(
  envText,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constantFrom(undefined, null, [], {}, [1, 'a'], { a: { b: 1 } }, 10n, Symbol('flag')),
  fc.array(envText, { maxLength: 3 }),
  fc.anything({ maxDepth: 2 }),
  // What yargs builds from --a.b.c...=1 with thousands of dots.
  fc.integer({ min: 100, max: 20_000 }).map(depth => JSON.parse('{"a":'.repeat(depth) + '1' + '}'.repeat(depth)) as unknown),
  fc.integer({ min: 100, max: 20_000 }).map(depth => JSON.parse('['.repeat(depth) + ']'.repeat(depth)) as unknown)
)
const flags = fc.dictionary(flagName, flagValue, { maxKeys: 4, noNullPrototype: true })

/** Config file contents: mutated valid files, random JSON objects, deep values under known keys. */
const fileText = fc.oneof(
  mutatedText(fc.constantFrom(...VALID_CONFIG_TEXTS)),
  fc.json({ maxDepth: 3 }),
  fc.dictionary(fc.oneof(knownFlag.map(name => name.split('.')[0] as string), fc.string({ maxLength: 12 })), fc.jsonValue({ maxDepth: 3 })).map(object => JSON.stringify(object)),
  fc.tuple(fc.constantFrom('listen', 'roles', 'limits', 'round', 'control', 'displayName'), fc.constantFrom('[', '{"a":'), fc.integer({ min: 100, max: 20_000 }))
    .map(([key, open, depth]) => `{"${key}":${open.repeat(depth)}1${(open === '[' ? ']' : '}').repeat(depth)}}`),
  fc.tuple(fc.integer({ min: 1_000, max: 100_000 }), fc.constantFrom('', 'limits')).map(([length, parent]) =>
    parent === '' ? `{"${'k'.repeat(length)}":1}` : `{"${parent}":{"${'k'.repeat(length)}":1}}`),
  fc.array(jsonFragment, { maxLength: 4 }).map(parts => parts.join(''))
)

describe('config/load (fuzz)', function () {
  this.timeout(FUZZ_TEST_TIMEOUT_MS)
  after(stopFuzzWatchdog)

  let files: ReturnType<typeof tempConfigDir>
  before(() => { files = tempConfigDir() })
  after(() => { files.remove() })

  /** loadConfig either returns a config the schema accepts or rejects with one ConfigError listing every issue. */
  async function loadChecked (options: Parameters<typeof loadConfig>[0]): Promise<void> {
    const outcome = await expectTypedAsync('loadConfig', ['ConfigError'], async () => loadConfig(options))
    if (outcome.ok) {
      assert.equal(configSchema.safeParse(outcome.value).success, true)
    } else {
      const issues = (outcome.error as Error & { issues: unknown[] }).issues
      assert.ok(issues.length > 0)
      assert.equal(outcome.error.message.split('\n').length, issues.length, 'one line per issue')
    }
  }

  it('random and near-miss FEDAGG_* environment variables', async () => {
    await fc.assert(fc.asyncProperty(environment, async env => { await loadChecked({ env }) }), fuzzRuns(300))
  })

  it('random flags, including deep objects and values of types no CLI parser produces', async () => {
    await fc.assert(fc.asyncProperty(flags, async flagValues => { await loadChecked({ env: {}, flags: flagValues }) }), fuzzRuns(300))
  })

  it('random, mutated and deeply nested config files, under random environment and flags', async () => {
    let n = 0
    await fc.assert(fc.asyncProperty(fileText, fc.option(environment, { nil: undefined }), fc.option(flags, { nil: undefined }), async (text, env, flagValues) => {
      const file = files.write(`c${n++}.json`, text)
      await loadChecked({ file, env: env ?? {}, ...(flagValues === undefined ? {} : { flags: flagValues }) })
    }), fuzzRuns(200))
  })
})
