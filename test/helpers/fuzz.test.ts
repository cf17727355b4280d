// Tests the fuzz toolkit itself: the typed-error check refuses what it must, the time bound trips, and mutations do what they say.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import fc from 'fast-check'
import { FedaggError } from '../../protocol/errors.ts'
import { applyMutation, expectTyped, expectTypedAsync, INPUT_TIME_BOUND_MS, mutatedBytes, protobufFragment, stopFuzzWatchdog, varint } from './fuzz.ts'

class SampleError extends FedaggError {
  static override name = 'SampleError'
}

class ForeignFramingError extends Error {
  static override name = 'ForeignFramingError'
  override name = 'ForeignFramingError'
}

function busyWait (ms: number): void {
  const until = performance.now() + ms
  while (performance.now() < until) { /* spin: a synchronous decoder that is too slow */ }
}

describe('test/helpers fuzz', () => {
  after(stopFuzzWatchdog)

  describe('expectTyped', () => {
    it('returns values and listed FedaggError subclasses', () => {
      assert.deepEqual(expectTyped('ok', [], () => 7), { ok: true, value: 7 })
      const outcome = expectTyped('typed', ['SampleError'], () => { throw new SampleError('x') })
      assert.equal(outcome.ok ? 'ok' : outcome.error.name, 'SampleError')
    })

    it('fails on library errors, on the base class and on unlisted subclasses', () => {
      assert.throws(() => expectTyped('lib', ['SampleError'], () => { throw new RangeError('index out of range') }), /expected a FedaggError, got RangeError/)
      assert.throws(() => expectTyped('base', ['FedaggError'], () => { throw new FedaggError('vague') }), /specific FedaggError subclass/)
      assert.throws(() => expectTyped('unlisted', ['OtherError'], () => { throw new SampleError('x') }), /expected one of OtherError, got SampleError/)
      assert.throws(() => expectTyped('string', ['SampleError'], () => { throw 'boom' as unknown as Error }), /expected a FedaggError, got boom/)
    })

    it('accepts a foreign error only when it is its own class and named as allowed', async () => {
      const foreign = await expectTypedAsync('foreign', [], async () => { throw new ForeignFramingError('x') }, { foreign: ['ForeignFramingError'] })
      assert.equal(foreign.ok ? 'ok' : foreign.error.name, 'ForeignFramingError')
      const disguised = Object.assign(new RangeError('x'), { name: 'ForeignFramingError' })
      await assert.rejects(expectTypedAsync('disguised', [], async () => { throw disguised }, { foreign: ['ForeignFramingError'] }), /dedicated ForeignFramingError class/)
    })

    it('fails a call slower than the bound on both tries, not one slow try', () => {
      assert.throws(() => expectTyped('slow', [], () => { busyWait(INPUT_TIME_BOUND_MS + 20) }), /expected to return within/)
      let calls = 0
      // A single pause (GC, scheduling) is forgiven: the retry is fast.
      expectTyped('once', [], () => { if (calls++ === 0) busyWait(INPUT_TIME_BOUND_MS + 20) })
      assert.equal(calls, 2)
    })
  })

  it('the watchdog kills a process whose decoder never returns, naming it', () => {
    const helper = new URL('./fuzz.ts', import.meta.url).href
    const script = `import { expectTyped } from '${helper}'; expectTyped('endless decoder', [], () => { for (;;) {} })`
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, FEDAGG_FUZZ_HANG_MS: '300', FEDAGG_FUZZ_SEED: '42' }, encoding: 'utf8', timeout: 15_000 })
    assert.equal(child.signal, 'SIGKILL')
    assert.match(child.stderr, /fuzz watchdog: endless decoder still running after 300 ms \(seed 42\)/)
  })

  describe('mutations', () => {
    const bytes = Uint8Array.of(1, 2, 3, 4)
    const donor = Uint8Array.of(9, 8, 7)

    it('each kind changes the input as described', () => {
      assert.deepEqual(applyMutation(bytes, { kind: 'flip', at: 5, bit: 7 }, donor), Uint8Array.of(1, 130, 3, 4))
      assert.deepEqual(applyMutation(bytes, { kind: 'truncate', at: 2 }, donor), Uint8Array.of(1, 2))
      assert.deepEqual(applyMutation(bytes, { kind: 'insert', at: 1, bytes: Uint8Array.of(0) }, donor), Uint8Array.of(1, 0, 2, 3, 4))
      assert.deepEqual(applyMutation(bytes, { kind: 'delete', at: 1, length: 2 }, donor), Uint8Array.of(1, 4))
      assert.deepEqual(applyMutation(bytes, { kind: 'duplicate', at: 2, length: 1, times: 2 }, donor), Uint8Array.of(1, 2, 3, 3, 3, 4))
      assert.deepEqual(applyMutation(bytes, { kind: 'splice', at: 2, from: 1 }, donor), Uint8Array.of(1, 2, 8, 7))
      assert.deepEqual(applyMutation(new Uint8Array(0), { kind: 'set', at: 3, value: 0xff }, donor), Uint8Array.of(0xff))
    })

    it('mutated inputs differ from the valid one almost always', () => {
      const samples = fc.sample(mutatedBytes(fc.constant(bytes)), { numRuns: 200, seed: 1 })
      assert.ok(samples.filter(sample => Buffer.compare(sample, bytes) !== 0).length > 180)
    })

    it('varint writes unsigned LEB128, and protobuf fragments are bounded in size', () => {
      assert.deepEqual(varint(0n), [0])
      assert.deepEqual(varint(300n), [0xac, 0x02])
      assert.deepEqual(varint(2n ** 64n - 1n), [...Array(9).fill(0xff) as number[], 0x01])
      assert.ok(fc.sample(protobufFragment, { numRuns: 100, seed: 2 }).every(fragment => fragment.length <= 64 * 1024))
    })
  })
})
