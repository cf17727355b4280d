// Tests EncryptionPool with two real worker threads: order, correctness, refusals, abort and reuse.
import assert from 'node:assert/strict'
import { decrypt } from '../../../protocol/paillier/index.ts'
import { EncryptionPool } from '../../../node/crypto/encrypt-pool.ts'
import { testKey, throwsNamed } from '../../protocol/paillier/fixtures.ts'

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

  it('refuses nonsensical options', () => {
    for (const options of [{ threads: 0 }, { threads: 1.5 }, { threads: Number.NaN }, { batchSize: 0 }, { batchSize: -4 }]) {
      assert.throws(() => new EncryptionPool(pk, options), throwsNamed('InvalidPoolOptionsError'), JSON.stringify(options))
    }
  })
})
