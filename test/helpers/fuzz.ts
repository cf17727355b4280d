// Decoder fuzzing toolkit: reproducible fast-check runs, byte/protobuf/JSON mutators, and a typed-error + time-bound check per input.
import assert from 'node:assert/strict'
import { Worker } from 'node:worker_threads'
import fc from 'fast-check'
import { FedaggError } from '../../protocol/errors.ts'

// ---------------------------------------------------------------------------------------------
// Run parameters

/**
 * FEDAGG_FUZZ_SEED=<int> replays a run exactly (fast-check prints the seed and the shrunk input of
 * every failure). Without it each process draws a fresh seed, so repeated runs explore new inputs.
 */
export const FUZZ_SEED: number = readIntegerEnv('FEDAGG_FUZZ_SEED') ?? (Math.random() * 2 ** 31) | 0

/** FEDAGG_FUZZ_SCALE=<n> multiplies every property's numRuns, for a longer campaign (default 1). */
const FUZZ_SCALE = readIntegerEnv('FEDAGG_FUZZ_SCALE') ?? 1

/**
 * Longest a single decoder call may take. Every fuzz input is at most a few KiB, on which a linear
 * decoder needs well under a millisecond; 200 ms leaves room for a shared 2-core machine, and a
 * quadratic or exponential path blows through it at once.
 */
export const INPUT_TIME_BOUND_MS = readIntegerEnv('FEDAGG_FUZZ_MAX_MS') ?? 200

/**
 * A call still running after this long is a hang: the watchdog thread prints which decoder it was
 * and kills the process, since synchronous JavaScript cannot be interrupted from its own thread.
 */
const HANG_MS = readIntegerEnv('FEDAGG_FUZZ_HANG_MS') ?? 10_000

function readIntegerEnv (name: string): number | undefined {
  const text = process.env[name]
  if (text === undefined || text === '') return undefined
  const value = Number(text)
  if (!Number.isSafeInteger(value)) throw new Error(`${name}: expected an integer, got ${JSON.stringify(text)}`)
  return value
}

/**
 * Mocha timeout for one fuzz test: generous next to the ~1 s the slowest property needs, since a
 * hang is caught per input by INPUT_TIME_BOUND_MS and the watchdog, not by mocha.
 */
export const FUZZ_TEST_TIMEOUT_MS = 20_000 * FUZZ_SCALE

/** fast-check parameters for one property: the shared seed and `numRuns` times FEDAGG_FUZZ_SCALE. */
export function fuzzRuns (numRuns: number): { seed: number, numRuns: number } {
  return { seed: FUZZ_SEED, numRuns: numRuns * FUZZ_SCALE }
}

// ---------------------------------------------------------------------------------------------
// The contract: a value, or a FedaggError subclass from the decoder's list, in bounded time

/** Built-in classes a library throws when it hits something it did not expect: never a typed refusal. */
const GENERIC_ERRORS = new Set(['Error', 'TypeError', 'RangeError', 'SyntaxError', 'ReferenceError', 'EvalError', 'URIError', 'AggregateError'])

export interface TypedErrorOptions {
  /**
   * Names of typed errors from outside fedagg that are accepted too, e.g. @libp2p/utils'
   * InvalidDataLengthError for a stream. They must still be their own class, not a built-in.
   */
  foreign?: readonly string[]
}

/**
 * Fails unless `err` is an instance of a specific FedaggError subclass named in `allowed`, or a
 * dedicated error class named in `options.foreign`.
 */
export function assertTypedError (err: unknown, allowed: readonly string[], label: string, options: TypedErrorOptions = {}): asserts err is Error {
  if (err instanceof Error && !(err instanceof FedaggError) && options.foreign?.includes(err.name) === true) {
    assert.ok(!GENERIC_ERRORS.has(err.constructor.name) && err.constructor.name === err.name, `${label}: expected a dedicated ${err.name} class, got a ${err.constructor.name} named ${err.name}`)
    return
  }
  if (!(err instanceof FedaggError)) {
    // The top of the stack says which decoder line threw; a stack overflow's full trace is thousands of lines.
    const shown = err instanceof Error ? `${err.name}: ${err.message}\n${(err.stack ?? '').split('\n').slice(1, 9).join('\n')}` : String(err)
    assert.fail(`${label}: expected a FedaggError, got ${shown}`)
  }
  assert.notEqual(err.name, 'FedaggError', `${label}: expected a specific FedaggError subclass, got the base class (${err.message})`)
  assert.ok(allowed.includes(err.name), `${label}: expected one of ${allowed.join(', ')}, got ${err.name}: ${err.message}`)
}

export type Outcome<T> = { ok: true, value: T } | { ok: false, error: Error }

/**
 * Runs one decoder call on one input and returns its outcome; fails the property on an untyped or
 * unlisted error, and when the call takes longer than INPUT_TIME_BOUND_MS twice in a row (the
 * second run filters out GC pauses and scheduling noise, a slow path is slow both times).
 */
export function expectTyped<T> (label: string, allowed: readonly string[], run: () => T): Outcome<T> {
  const first = timedSync(label, run)
  if (first.ms > INPUT_TIME_BOUND_MS) assertFast(label, timedSync(label, run).ms)
  return settle(first, allowed, label)
}

/** expectTyped for asynchronous decoders (signature checks). */
export async function expectTypedAsync<T> (label: string, allowed: readonly string[], run: () => Promise<T>, options: TypedErrorOptions & { rerun?: boolean } = {}): Promise<Outcome<T>> {
  const first = await timedAsync(label, run)
  if (first.ms > INPUT_TIME_BOUND_MS) {
    // A run that consumes its input (a stream read) cannot be repeated; its first time counts.
    assertFast(label, options.rerun === false ? first.ms : (await timedAsync(label, run)).ms, options.rerun !== false)
  }
  return settle(first, allowed, label, options)
}

interface Timed<T> { ms: number, result: { ok: true, value: T } | { ok: false, error: unknown } }

function timedSync<T> (label: string, run: () => T): Timed<T> {
  watchdog().arm(label)
  const start = performance.now()
  try {
    const value = run()
    return { ms: performance.now() - start, result: { ok: true, value } }
  } catch (error) {
    return { ms: performance.now() - start, result: { ok: false, error } }
  } finally {
    watchdog().disarm()
  }
}

async function timedAsync<T> (label: string, run: () => Promise<T>): Promise<Timed<T>> {
  watchdog().arm(label)
  const start = performance.now()
  try {
    const value = await run()
    return { ms: performance.now() - start, result: { ok: true, value } }
  } catch (error) {
    return { ms: performance.now() - start, result: { ok: false, error } }
  } finally {
    watchdog().disarm()
  }
}

function assertFast (label: string, ms: number, twice = true): void {
  assert.ok(ms <= INPUT_TIME_BOUND_MS, `${label}: expected to return within ${INPUT_TIME_BOUND_MS} ms, took ${ms.toFixed(1)} ms${twice ? ' (twice)' : ''}`)
}

function settle<T> (timed: Timed<T>, allowed: readonly string[], label: string, options: TypedErrorOptions = {}): Outcome<T> {
  if (timed.result.ok) return timed.result
  assertTypedError(timed.result.error, allowed, label, options)
  return { ok: false, error: timed.result.error }
}

// ---------------------------------------------------------------------------------------------
// Hang watchdog: a worker thread that kills the process if one armed call outlives HANG_MS

const LABEL_BYTES = 256

// Plain JavaScript evaluated in the worker. Slot 0 counts arm/disarm transitions, slot 1 is 1 while
// a call runs; if a wait times out with the counter unchanged and a call running, that call hangs.
const WATCHDOG_SOURCE = `
const { workerData } = require('node:worker_threads')
const { writeSync } = require('node:fs')
const state = new Int32Array(workerData.buffer, 0, 2)
const label = new Uint8Array(workerData.buffer, 8, workerData.labelBytes)
for (;;) {
  const generation = Atomics.load(state, 0)
  if (Atomics.load(state, 1) === 2) break
  const woke = Atomics.wait(state, 0, generation, workerData.hangMs)
  if (woke === 'timed-out' && Atomics.load(state, 1) === 1 && Atomics.load(state, 0) === generation) {
    const name = new TextDecoder().decode(label).replace(/\\0+$/, '')
    writeSync(2, '\\nfuzz watchdog: ' + name + ' still running after ' + workerData.hangMs + ' ms (seed ' + workerData.seed + '); killing the process\\n')
    process.kill(process.pid, 'SIGKILL')
  }
}
`

interface Watchdog {
  arm: (label: string) => void
  disarm: () => void
  stop: () => Promise<void>
}

let current: Watchdog | undefined

function watchdog (): Watchdog {
  current ??= startWatchdog()
  return current
}

function startWatchdog (): Watchdog {
  const buffer = new SharedArrayBuffer(8 + LABEL_BYTES)
  const state = new Int32Array(buffer, 0, 2)
  const label = new Uint8Array(buffer, 8, LABEL_BYTES)
  // execArgv: [] so flags of the parent (e.g. --input-type=module) cannot change how the CommonJS source is read.
  const worker = new Worker(WATCHDOG_SOURCE, { eval: true, execArgv: [], workerData: { buffer, labelBytes: LABEL_BYTES, hangMs: HANG_MS, seed: FUZZ_SEED } })
  // Never the reason the process stays alive; stopFuzzWatchdog ends it explicitly.
  worker.unref()
  const transition = (running: number): void => {
    Atomics.store(state, 1, running)
    Atomics.add(state, 0, 1)
    Atomics.notify(state, 0)
  }
  return {
    arm: text => {
      label.fill(0)
      new TextEncoder().encodeInto(text.slice(0, LABEL_BYTES / 4), label)
      transition(1)
    },
    disarm: () => { transition(0) },
    stop: async () => {
      transition(2)
      await worker.terminate()
    }
  }
}

/** Ends the watchdog thread; call it from an `after` hook of every file that fuzzes. */
export async function stopFuzzWatchdog (): Promise<void> {
  const stopping = current
  current = undefined
  await stopping?.stop()
}

// ---------------------------------------------------------------------------------------------
// Byte mutations, described as data so fast-check prints (and shrinks) the exact mutation

export type Mutation =
  | { kind: 'flip', at: number, bit: number }
  | { kind: 'set', at: number, value: number }
  | { kind: 'truncate', at: number }
  | { kind: 'insert', at: number, bytes: Uint8Array }
  | { kind: 'delete', at: number, length: number }
  | { kind: 'duplicate', at: number, length: number, times: number }
  | { kind: 'splice', at: number, from: number }

/** Values at the edges of varints, lengths and signs. */
const INTERESTING_BYTES = [0x00, 0x01, 0x02, 0x07, 0x08, 0x0f, 0x10, 0x7f, 0x80, 0x81, 0xfe, 0xff]

/** A varint of `value` (unsigned LEB128, as protobuf writes tags and lengths). */
export function varint (value: bigint): number[] {
  const out: number[] = []
  let rest = value
  do {
    const low = Number(rest & 0x7fn)
    rest >>= 7n
    out.push(rest === 0n ? low : low | 0x80)
  } while (rest !== 0n)
  return out
}

function tag (field: number, wireType: number): number[] {
  return varint(BigInt(field * 8 + wireType))
}

/**
 * Protobuf-level hostile fragments:
 * - varints of 11+ bytes and varints that run off the end (overflow, truncation)
 * - a length prefix far beyond the input (2^31 − 1, 2^32 − 1, 2^63)
 * - deep nesting: thousands of group starts, and a length-delimited field nested in itself
 * - the reserved wire types 6 and 7, and a field number of 0
 */
export const protobufFragment: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.integer({ min: 10, max: 40 }).map(length => Uint8Array.from([...Array(length).fill(0xff) as number[], 0x01])),
  fc.integer({ min: 1, max: 12 }).map(length => new Uint8Array(length).fill(0x80)),
  fc.tuple(fc.integer({ min: 1, max: 20 }), fc.constantFrom(2n ** 31n - 1n, 2n ** 32n - 1n, 2n ** 63n, 2n ** 64n - 1n, 16n * 1024n * 1024n + 1n))
    .map(([field, length]) => Uint8Array.from([...tag(field, 2), ...varint(length)])),
  fc.tuple(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 100, max: 20_000 }))
    .map(([field, depth]) => Uint8Array.from(Array.from({ length: depth }, () => tag(field, 3)).flat())),
  fc.tuple(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 10, max: 2_000 })).map(([field, depth]) => nestedLengthDelimited(field, depth)),
  fc.tuple(fc.integer({ min: 0, max: 20 }), fc.constantFrom(6, 7)).map(([field, wireType]) => Uint8Array.from(tag(field, wireType))),
  fc.constant(Uint8Array.of(0x00))
)

// Written outside-in from precomputed sizes: rebuilding the inner bytes per level would be quadratic.
function nestedLengthDelimited (field: number, depth: number): Uint8Array {
  const header = tag(field, 2)
  const sizes = [0]
  for (let level = 0; level < depth; level++) {
    const inner = sizes[level] as number
    sizes.push(header.length + varint(BigInt(inner)).length + inner)
  }
  const out: number[] = []
  for (let level = depth - 1; level >= 0; level--) out.push(...header, ...varint(BigInt(sizes[level] as number)))
  return Uint8Array.from(out)
}

function mutationArbitrary (fragments: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Mutation> {
  const at = fc.nat()
  return fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at, bit: fc.integer({ min: 0, max: 7 }) }),
    fc.record({ kind: fc.constant('set' as const), at, value: fc.oneof(fc.constantFrom(...INTERESTING_BYTES), fc.integer({ min: 0, max: 255 })) }),
    fc.record({ kind: fc.constant('truncate' as const), at }),
    fc.record({ kind: fc.constant('insert' as const), at, bytes: fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 16 }), fragments) }),
    fc.record({ kind: fc.constant('delete' as const), at, length: fc.integer({ min: 1, max: 16 }) }),
    fc.record({ kind: fc.constant('duplicate' as const), at, length: fc.integer({ min: 1, max: 32 }), times: fc.integer({ min: 1, max: 64 }) }),
    fc.record({ kind: fc.constant('splice' as const), at, from: fc.nat() })
  )
}

/** Applies one mutation; `donor` is a second valid input that 'splice' takes its tail from. */
export function applyMutation (bytes: Uint8Array, mutation: Mutation, donor: Uint8Array): Uint8Array {
  const pos = (at: number, size: number): number => size === 0 ? 0 : at % (size + 1)
  switch (mutation.kind) {
    case 'flip': {
      if (bytes.length === 0) return bytes
      const out = bytes.slice()
      out[mutation.at % out.length]! ^= 1 << mutation.bit
      return out
    }
    case 'set': {
      if (bytes.length === 0) return Uint8Array.of(mutation.value)
      const out = bytes.slice()
      out[mutation.at % out.length] = mutation.value
      return out
    }
    case 'truncate':
      return bytes.slice(0, pos(mutation.at, bytes.length))
    case 'insert': {
      const at = pos(mutation.at, bytes.length)
      return concat(bytes.subarray(0, at), mutation.bytes, bytes.subarray(at))
    }
    case 'delete': {
      const at = pos(mutation.at, bytes.length)
      return concat(bytes.subarray(0, at), bytes.subarray(at + mutation.length))
    }
    case 'duplicate': {
      const at = pos(mutation.at, bytes.length)
      const slice = bytes.subarray(at, at + mutation.length)
      return concat(bytes.subarray(0, at + slice.length), ...Array<Uint8Array>(mutation.times).fill(slice), bytes.subarray(at + slice.length))
    }
    case 'splice':
      return concat(bytes.subarray(0, pos(mutation.at, bytes.length)), donor.subarray(pos(mutation.from, donor.length)))
  }
}

export function concat (...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

export interface MutateOptions {
  /** Extra byte strings the 'insert' mutation may splice in; defaults to protobufFragment. */
  fragments?: fc.Arbitrary<Uint8Array>
  /** Most mutations stacked on one input (default 4). */
  maxMutations?: number
}

/** Valid encodings from `valid`, each damaged by 1 to maxMutations stacked mutations. */
export function mutatedBytes (valid: fc.Arbitrary<Uint8Array>, options: MutateOptions = {}): fc.Arbitrary<Uint8Array> {
  const mutations = fc.array(mutationArbitrary(options.fragments ?? protobufFragment), { minLength: 1, maxLength: options.maxMutations ?? 4 })
  return fc.tuple(valid, valid, mutations).map(([bytes, donor, list]) => list.reduce((out, mutation) => applyMutation(out, mutation, donor), bytes))
}

/** Random bytes, protobuf fragments on their own, and fragments behind a valid-looking prefix. */
export function hostileBytes (maxLength = 2048): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.uint8Array({ maxLength }) },
    { weight: 1, arbitrary: fc.array(fc.constantFrom(...INTERESTING_BYTES), { maxLength: 64 }).map(bytes => Uint8Array.from(bytes)) },
    { weight: 2, arbitrary: protobufFragment },
    { weight: 1, arbitrary: fc.tuple(fc.uint8Array({ maxLength: 32 }), protobufFragment).map(([prefix, fragment]) => concat(prefix, fragment)) }
  )
}

// ---------------------------------------------------------------------------------------------
// Text: JSON-shaped fragments and byte-level damage to valid documents

/**
 * JSON-level hostile fragments: unbalanced and deeply nested brackets, unterminated strings and
 * escapes, huge and malformed numbers, control characters, lone surrogates and a BOM.
 */
export const jsonFragment: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('{', '}', '[', ']', '"', ',', ':', '\\', '\\u', '\\ud800', '"\\u12', 'nul', 'tru', '-', '.', 'e', '1e', '-0.', '1e999999', '-1e-999999',
    '123456789012345678901234567890', 'NaN', 'Infinity', '\u0000', '\u001f', '\ud800', '\uFEFF', '/*', '//', '\u2028', '"__proto__"', '{"__proto__":{}}'),
  fc.tuple(fc.constantFrom('[', '{"a":', '{"listen":[', '{"limits":'), fc.integer({ min: 100, max: 20_000 })).map(([open, depth]) => open.repeat(depth)),
  fc.integer({ min: 1_000, max: 20_000 }).map(length => '9'.repeat(length)),
  fc.integer({ min: 1_000, max: 20_000 }).map(length => `"${'a'.repeat(length)}`)
)

/** Valid texts from `valid`, damaged at the UTF-8 byte level and with JSON fragments inserted. */
export function mutatedText (valid: fc.Arbitrary<string>, options: { maxMutations?: number } = {}): fc.Arbitrary<string> {
  const encoder = new TextEncoder()
  const decoder = new TextDecoder()
  const fragments = jsonFragment.map(text => encoder.encode(text))
  return mutatedBytes(valid.map(text => encoder.encode(text)), { fragments, ...options }).map(bytes => decoder.decode(bytes))
}
