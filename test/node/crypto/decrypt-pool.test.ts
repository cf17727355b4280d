// Tests DecryptionPool with two real worker threads: order and correctness against decrypt, refusals before any work, abort, destroy.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { decrypt, encodeCiphertexts, encryptOneOff } from '../../../protocol/paillier/index.ts'
import { DecryptionPool } from '../../../node/crypto/decrypt-pool.ts'
import { testKey, throwsNamed } from '../../protocol/paillier/fixtures.ts'

describe('node/crypto/decrypt-pool', function () {
  this.timeout(60_000)
  const key = testKey(2048)
  const pk = key.publicKey
  let pool: DecryptionPool

  /**
   * `count` stand-ins for ciphertexts: 2, 3, 4, … are units mod n² (n has no small factors), so each
   * decrypts to some plaintext at the full cost of a real ciphertext, and costs nothing to make.
   */
  const standIns = (count: number): bigint[] => Array.from({ length: count }, (_, i) => BigInt(i + 2))

  before(() => { pool = new DecryptionPool(key, { threads: 2, batchSize: 4 }) })
  after(async () => { await pool.destroy() })

  it('decrypts every ciphertext, in input order, across batches and threads', async () => {
    const plaintexts = Array.from({ length: 23 }, (_, i) => (pk.n - 1n) / BigInt(i + 1))
    const ciphertexts = plaintexts.map(m => encryptOneOff(pk, m))
    assert.deepEqual(await pool.decryptAll(ciphertexts), plaintexts)
    // The same vector as one buffer of fixed-width ciphertexts, as the coordinator receives it; the
    // caller's buffer is copied per batch, never transferred away.
    const bytes = encodeCiphertexts(pk, ciphertexts)
    assert.deepEqual(await pool.decryptAll(bytes), plaintexts)
    assert.equal(bytes.byteLength, 23 * 512)
  })

  it('agrees with decrypt on this thread', async () => {
    const ciphertexts = [...standIns(9), pk.nSquared - 1n]
    assert.deepEqual(await pool.decryptAll(ciphertexts), ciphertexts.map(c => decrypt(key, c)))
  })

  it('returns nothing for nothing', async () => {
    assert.deepEqual(await pool.decryptAll([]), [])
    assert.deepEqual(await pool.decryptAll(new Uint8Array(0)), [])
  })

  it('refuses a ciphertext sharing a factor with n before decrypting anything', async () => {
    // The bad one comes last, after ~2,000 ciphertexts that would take seconds to decrypt on two
    // threads: a refusal decided per batch, or by a worker (its error would arrive as a plain Error
    // without the name), would come only after that work.
    const started = performance.now()
    await assert.rejects(pool.decryptAll([...standIns(2_000), key.p]), throwsNamed('CiphertextNotInvertibleError'))
    await assert.rejects(pool.decryptAll(encodeCiphertexts(pk, [...standIns(2_000), pk.n])), throwsNamed('CiphertextNotInvertibleError'))
    assert.ok(performance.now() - started < 1500, 'refused without decrypting the valid ciphertexts first')
  })

  it('refuses an out-of-range ciphertext or a ragged buffer before decrypting anything', async () => {
    await assert.rejects(pool.decryptAll([2n, 0n]), throwsNamed('CiphertextOutOfRangeError'))
    await assert.rejects(pool.decryptAll([2n, pk.nSquared]), throwsNamed('CiphertextOutOfRangeError'))
    await assert.rejects(pool.decryptAll(new Uint8Array(513).fill(1)), throwsNamed('CiphertextWidthError'))
  })

  it('rejects with the abort reason, and stays usable afterwards', async () => {
    await assert.rejects(pool.decryptAll([2n], AbortSignal.abort()), throwsNamed('AbortError'))
    const controller = new AbortController()
    const reason = new Error('node stopping')
    // 20,000 decryptions take ~24 s on two threads here (~2.4 ms each), so the abort at 100 ms lands
    // mid-run; only batches already running (2 per thread, of 4 ciphertexts) finish after it.
    const pending = pool.decryptAll(standIns(20_000), controller.signal)
    setTimeout(() => { controller.abort(reason) }, 100)
    const started = performance.now()
    await assert.rejects(pending, err => err === reason)
    assert.ok(performance.now() - started < 1000, 'abort is not held up by queued batches')
    const c = encryptOneOff(pk, 77n)
    assert.deepEqual(await pool.decryptAll([c]), [77n])
  })

  it('rejects what is pending when destroyed, and leaves no thread behind', async function () {
    if (!existsSync('/proc/self/task')) this.skip()
    const threadsBefore = readdirSync('/proc/self/task').length
    const doomed = new DecryptionPool(key, { threads: 2, batchSize: 4 })
    const pending = doomed.decryptAll(standIns(2_000))
    const settled = pending.then(() => 'resolved', () => 'rejected')
    await doomed.destroy()
    assert.equal(await settled, 'rejected')
    // A destroyed piscina pool would start fresh threads for new work; this one refuses it.
    await assert.rejects(doomed.decryptAll([2n]), throwsNamed('PoolDestroyedError'))
    await new Promise(resolve => setTimeout(resolve, 200))
    assert.ok(readdirSync('/proc/self/task').length <= threadsBefore, 'every worker thread has exited')
  })

  it('can be destroyed while its threads still load, without aborting the process', async () => {
    // Terminating a worker mid-evaluation of a module graph with top-level await aborts the whole
    // process in V8 (seen on Node 24.21); the child would die by SIGTRAP instead of printing.
    const child = spawnSync(process.execPath, [fileURLToPath(new URL('./destroy-early-main.ts', import.meta.url)), 'decrypt'], { encoding: 'utf8', timeout: 120_000 })
    assert.equal(child.status, 0, child.stderr)
    assert.equal(child.stdout, 'destroyed\n')
  })

  it('refuses nonsensical options', () => {
    for (const options of [{ threads: 0 }, { threads: 1.5 }, { threads: Number.NaN }, { batchSize: 0 }, { batchSize: -4 }]) {
      assert.throws(() => new DecryptionPool(key, options), throwsNamed('InvalidPoolOptionsError'), JSON.stringify(options))
    }
  })
})
