// Tests generateKeyPair: one real 2048-bit generation in the worker, progress order, abort and refusals.
import assert from 'node:assert/strict'
import type { Worker } from 'node:worker_threads'
import { bitLength, decrypt, DEFAULT_KEY_BITS, encrypt } from '../../../protocol/paillier/index.ts'
import { generateKeyPair } from '../../../node/crypto/keygen.ts'
import type { KeyGenerationProgress } from '../../../node/crypto/keygen.ts'
import { throwsNamed } from '../../protocol/paillier/fixtures.ts'

describe('node/crypto/keygen', function () {
  this.timeout(60_000)

  it('generates a working 2048-bit key off the main thread, reporting each step in order', async () => {
    const events: KeyGenerationProgress[] = []
    let ticks = 0
    const ticker = setInterval(() => { ticks++ }, 10)
    try {
      const key = await generateKeyPair(2048, { onProgress: event => events.push(event) })
      assert.equal(key.publicKey.bits, 2048)
      assert.equal(bitLength(key.p), 1024)
      assert.equal(decrypt(key, encrypt(key.publicKey, 99n)), 99n)
      // p is reported once per draw (redrawn in ~60 % of runs), each time as step 1 of 3.
      assert.match(events.map(event => event.phase).join(' '), /^(prime-p )+prime-q hs$/)
      const step = { 'prime-p': 1, 'prime-q': 2, hs: 3 }
      for (const event of events) assert.deepEqual(event, { phase: event.phase, done: step[event.phase], total: 3 })
      // Prime search took the event loop for no more than a few slices: timers kept firing.
      assert.ok(ticks > 5, `expected the event loop to keep running, got ${ticks} ticks`)
    } finally {
      clearInterval(ticker)
    }
  })

  it('rejects with the abort reason and stops the worker when aborted mid-search', async () => {
    const controller = new AbortController()
    const reason = new Error('stop now')
    // Node announces every new worker thread on `process`; watch the one generateKeyPair starts.
    const exited = new Promise<Worker>(resolve => {
      process.once('worker', (worker: Worker) => { worker.once('exit', () => { resolve(worker) }) })
    })
    let stopped = false
    void exited.then(() => { stopped = true })
    const pending = generateKeyPair(4096, { signal: controller.signal })
    setTimeout(() => { controller.abort(reason) }, 50)
    await assert.rejects(pending, err => err === reason)
    // generateKeyPair awaits terminate() before rejecting, so the worker is gone by now.
    await new Promise(resolve => setImmediate(resolve))
    assert.ok(stopped, 'expected the key generation worker to have exited')
    assert.equal((await exited).threadId, -1)
  })

  it('rejects at once for an already-aborted signal', async () => {
    await assert.rejects(generateKeyPair(2048, { signal: AbortSignal.abort() }), throwsNamed('AbortError'))
  })

  it('refuses short, long and non-integer bit lengths before starting', async () => {
    assert.equal(DEFAULT_KEY_BITS, 3072)
    await assert.rejects(generateKeyPair(1024), throwsNamed('KeyTooShortError'))
    await assert.rejects(generateKeyPair(8192), throwsNamed('KeyTooLongError'))
    await assert.rejects(generateKeyPair(2048.5), throwsNamed('InvalidKeyBitsError'))
    await assert.rejects(generateKeyPair(Number.NaN), throwsNamed('InvalidKeyBitsError'))
  })
})
