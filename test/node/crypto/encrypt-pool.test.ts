// Tests EncryptionPool with two real worker threads: order, correctness, refusals, abort and reuse.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { getPriority } from 'node:os'
import { fileURLToPath } from 'node:url'
import { decodeCiphertexts, decrypt } from '../../../protocol/paillier/index.ts'
import { EncryptionPool } from '../../../node/crypto/encrypt-pool.ts'
import { WORKER_NICE_INCREMENT } from '../../../node/crypto/thread-priority.ts'
import { testKey, throwsNamed } from '../../protocol/paillier/fixtures.ts'
import { threadNiceValues } from './thread-nice.ts'

describe('node/crypto/encrypt-pool', function () {
  this.timeout(60_000)
  const key = testKey(2048)
  const pk = key.publicKey
  let pool: EncryptionPool

  before(() => { pool = new EncryptionPool(pk, { threads: 2, batchSize: 4 }) })
  after(async () => { await pool.destroy() })

  it('encrypts every plaintext, in input order, across batches and threads', async () => {
    const plaintexts = Array.from({ length: 23 }, (_, i) => (pk.n - 1n) / BigInt(i + 1))
    const ciphertexts = await pool.encryptAll(plaintexts)
    assert.equal(ciphertexts.length, plaintexts.length)
    ciphertexts.forEach((c, i) => assert.equal(decrypt(key, c), plaintexts[i]))
    assert.equal(new Set(ciphertexts).size, ciphertexts.length)
  })

  it('runs its threads below the priority of the event loops that a round waits on', async function () {
    if (!existsSync('/proc/thread-self')) this.skip()
    await pool.encryptAll([1n, 2n])
    const niced = Math.min(19, getPriority() + WORKER_NICE_INCREMENT)
    // At least: in the full suite, other tests' pools may share this process.
    assert.ok(threadNiceValues().filter(nice => nice === niced).length >= pool.threads)
  })

  it('leaves its threads at the process priority when asked to (niceIncrement 0)', async function () {
    if (!existsSync('/proc/thread-self')) this.skip()
    const niced = Math.min(19, getPriority() + WORKER_NICE_INCREMENT)
    const before = threadNiceValues().filter(nice => nice === niced).length
    const foreground = new EncryptionPool(pk, { threads: 2, powers: 'native', niceIncrement: 0 })
    try {
      await foreground.encryptAll([1n, 2n, 3n, 4n])
      assert.equal(threadNiceValues().filter(nice => nice === niced).length, before)
    } finally {
      await foreground.destroy()
    }
  })

  it('returns nothing for nothing', async () => {
    assert.deepEqual(await pool.encryptAll([]), [])
  })

  it('refuses an out-of-range plaintext before encrypting anything', async () => {
    await assert.rejects(pool.encryptAll([1n, pk.n, 2n]), throwsNamed('PlaintextOutOfRangeError'))
    await assert.rejects(pool.encryptAll([-1n]), throwsNamed('PlaintextOutOfRangeError'))
  })

  it('rejects with the abort reason, and stays usable afterwards', async () => {
    await assert.rejects(pool.encryptAll([1n], AbortSignal.abort()), throwsNamed('AbortError'))
    const controller = new AbortController()
    const reason = new Error('round closed')
    // 100,000 encryptions take ~90 s on two threads here (~1.8 ms each), so the abort at 100 ms lands
    // mid-run on any machine short of ~900 times faster; only batches already running (at most
    // BATCHES_IN_FLIGHT_PER_THREAD per thread, of 4 plaintexts) finish after it.
    const pending = pool.encryptAll(Array.from({ length: 100_000 }, (_, i) => BigInt(i)), controller.signal)
    setTimeout(() => { controller.abort(reason) }, 100)
    const started = performance.now()
    await assert.rejects(pending, err => err === reason)
    assert.ok(performance.now() - started < 1000, 'abort is not held up by queued batches')
    const [c] = await pool.encryptAll([77n])
    assert.equal(decrypt(key, c!), 77n)
  })

  it('makes randomizers: fresh encryptions of 0, each distinct', async () => {
    const bytes = await pool.randomizers(5)
    const randomizers = decodeCiphertexts(pk, bytes)
    assert.equal(randomizers.length, 5)
    assert.equal(new Set(randomizers).size, 5)
    // h_s^r is E(0; r) for g = n + 1: multiplying in (1 + m·n) is what makes it E(m).
    for (const r of randomizers) assert.equal(decrypt(key, r), 0n)
    await assert.rejects(pool.randomizers(0), throwsNamed('InvalidPoolOptionsError'))
  })

  it('starts background randomizers only once no encryptAll is running', async () => {
    const finished: string[] = []
    const foreground = pool.encryptAll(Array.from({ length: 40 }, (_, i) => BigInt(i))).then(() => { finished.push('encryptAll') })
    const background = pool.randomizers(1).then(() => { finished.push('randomizers') })
    await Promise.all([foreground, background])
    assert.deepEqual(finished, ['encryptAll', 'randomizers'])
    // A signal aborts the wait for a turn.
    const busy = pool.encryptAll(Array.from({ length: 40 }, (_, i) => BigInt(i)))
    const controller = new AbortController()
    const reason = new Error('client stopping')
    const waiting = pool.randomizers(1, controller.signal)
    controller.abort(reason)
    await assert.rejects(waiting, err => err === reason)
    await busy
  })

  it('builds the comb once, on one of its threads, and every thread encrypts with that table', async () => {
    const shared = new EncryptionPool(pk, { threads: 2, batchSize: 1 })
    try {
      assert.equal(shared.combBuilds, 0, 'the build runs on a worker: the constructor returns before it ends')
      // Batches of one, two per thread in flight: both threads take tasks while the first waits
      // for the table, and again after.
      const plaintexts = Array.from({ length: 12 }, (_, i) => pk.n - 1n - BigInt(i))
      const ciphertexts = await shared.encryptAll(plaintexts)
      ciphertexts.forEach((c, i) => assert.equal(decrypt(key, c), plaintexts[i]))
      for (const r of decodeCiphertexts(pk, await shared.randomizers(3))) assert.equal(decrypt(key, r), 0n)
      assert.equal(shared.combBuilds, 1)
    } finally {
      await shared.destroy()
    }
  })

  it('with native powers builds no comb, and its encryptions and randomizers decrypt right', async () => {
    const native = new EncryptionPool(pk, { threads: 1, batchSize: 2, powers: 'native' })
    try {
      const plaintexts = [0n, 1n, pk.n - 1n]
      const ciphertexts = await native.encryptAll(plaintexts)
      ciphertexts.forEach((c, i) => assert.equal(decrypt(key, c), plaintexts[i]))
      const randomizers = decodeCiphertexts(pk, await native.randomizers(4))
      for (const r of randomizers) assert.equal(decrypt(key, r), 0n)
      assert.equal(new Set(randomizers).size, 4)
      assert.equal(native.combBuilds, 0)
    } finally {
      await native.destroy()
    }
  })

  it('lets a randomizer request that waits for the comb be aborted', async () => {
    const fresh = new EncryptionPool(pk, { threads: 1 })
    try {
      const controller = new AbortController()
      const reason = new Error('client stopping')
      const waiting = fresh.randomizers(1, controller.signal)
      controller.abort(reason)
      await assert.rejects(waiting, err => err === reason)
      assert.equal(fresh.combBuilds, 0, 'rejected before the ~1.3 s build could finish')
    } finally {
      await fresh.destroy()
    }
  })

  it('refuses work once destroyed, and leaves no thread behind', async function () {
    if (!existsSync('/proc/self/task')) this.skip()
    const threadsBefore = readdirSync('/proc/self/task').length
    const doomed = new EncryptionPool(pk, { threads: 2, powers: 'native' })
    await doomed.encryptAll([1n])
    await doomed.destroy()
    // A destroyed piscina pool would start fresh threads for new work; this one refuses it.
    await assert.rejects(doomed.encryptAll([2n]), throwsNamed('PoolDestroyedError'))
    await assert.rejects(doomed.randomizers(1), throwsNamed('PoolDestroyedError'))
    await new Promise(resolve => setTimeout(resolve, 200))
    assert.ok(readdirSync('/proc/self/task').length <= threadsBefore, 'every worker thread has exited')
  })

  it('can be destroyed while its threads still load, without aborting the process', async () => {
    // Terminating a worker mid-evaluation of a module graph with top-level await aborts the whole
    // process in V8 (seen on Node 24.21); the child would die by SIGTRAP instead of printing.
    const child = spawnSync(process.execPath, [fileURLToPath(new URL('./destroy-early-main.ts', import.meta.url))], { encoding: 'utf8', timeout: 120_000 })
    assert.equal(child.status, 0, child.stderr)
    assert.equal(child.stdout, 'destroyed\n')
  })

  it('refuses nonsensical options', () => {
    for (const options of [{ threads: 0 }, { threads: 1.5 }, { threads: Number.NaN }, { batchSize: 0 }, { batchSize: -4 }]) {
      assert.throws(() => new EncryptionPool(pk, options), throwsNamed('InvalidPoolOptionsError'), JSON.stringify(options))
    }
  })
})
