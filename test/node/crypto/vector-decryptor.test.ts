// Tests VectorDecryptor: short vectors inline with no threads, long ones on one lazily made pool, refusals first, and a stop mid-decryption.
import assert from 'node:assert/strict'
import { existsSync, readdirSync } from 'node:fs'
import { decodeCiphertexts, decrypt, encodeCiphertexts, encryptOneOff } from '../../../protocol/paillier/index.ts'
import { DecryptionPool } from '../../../node/crypto/decrypt-pool.ts'
import { INLINE_DECRYPTION_MAX, VectorDecryptor } from '../../../node/crypto/vector-decryptor.ts'
import type { VectorDecryptionPool } from '../../../node/crypto/vector-decryptor.ts'
import type { DecryptionPath } from '../../../node/metrics/metrics.ts'
import { testKey, throwsNamed } from '../../protocol/paillier/fixtures.ts'

const key = testKey(2048)
const pk = key.publicKey

/** 2, 3, 4, …: units mod n² (n has no small factors), so valid input that costs nothing to make. */
function standIns (count: number): bigint[] {
  return Array.from({ length: count }, (_, i) => BigInt(i + 2))
}

/** A pool that decrypts on this thread and counts what it was asked for. */
class RecordingPool implements VectorDecryptionPool {
  calls: number[] = []
  destroyed = 0

  async decryptAll (ciphertexts: Uint8Array): Promise<bigint[]> {
    const values = decodeCiphertexts(pk, ciphertexts)
    this.calls.push(values.length)
    return values.map(c => decrypt(key, c))
  }

  async destroy (): Promise<void> {
    this.destroyed++
  }
}

describe('node/crypto/vector-decryptor', function () {
  this.timeout(60_000)

  function recording (): { decryptor: VectorDecryptor, pools: RecordingPool[], paths: Array<[DecryptionPath, number]> } {
    const pools: RecordingPool[] = []
    const paths: Array<[DecryptionPath, number]> = []
    const decryptor = new VectorDecryptor(key, {
      onDecrypted: (path, count) => { paths.push([path, count]) },
      createPool: () => {
        const pool = new RecordingPool()
        pools.push(pool)
        return pool
      }
    })
    return { decryptor, pools, paths }
  }

  it('decrypts up to INLINE_DECRYPTION_MAX ciphertexts on this thread, starting no pool', async () => {
    const { decryptor, pools, paths } = recording()
    const plaintexts = [0n, 1n, pk.n - 1n]
    assert.deepEqual(await decryptor.decrypt(encodeCiphertexts(pk, plaintexts.map(m => encryptOneOff(pk, m)))), plaintexts)
    const longest = standIns(INLINE_DECRYPTION_MAX)
    assert.deepEqual(await decryptor.decrypt(encodeCiphertexts(pk, longest)), longest.map(c => decrypt(key, c)))
    assert.equal(pools.length, 0)
    assert.deepEqual(paths, [['inline', 3], ['inline', INLINE_DECRYPTION_MAX]])
    await decryptor.close()
  })

  it('sends longer vectors to one pool, made on first need and destroyed on close', async () => {
    const { decryptor, pools, paths } = recording()
    const long = standIns(INLINE_DECRYPTION_MAX + 1)
    assert.deepEqual(await decryptor.decrypt(encodeCiphertexts(pk, long)), long.map(c => decrypt(key, c)))
    await decryptor.decrypt(encodeCiphertexts(pk, standIns(100)))
    assert.equal(pools.length, 1)
    assert.deepEqual(pools[0]!.calls, [INLINE_DECRYPTION_MAX + 1, 100])
    assert.deepEqual(paths, [['pool', INLINE_DECRYPTION_MAX + 1], ['pool', 100]])
    await decryptor.close()
    assert.equal(pools[0]!.destroyed, 1)
    await assert.rejects(decryptor.decrypt(encodeCiphertexts(pk, long)), throwsNamed('DecryptorClosedError'))
    await assert.rejects(decryptor.decrypt(encodeCiphertexts(pk, [2n])), throwsNamed('DecryptorClosedError'))
    assert.equal(pools.length, 1, 'no pool made after close')
  })

  it('starts the pool when a round that will need it opens, and only then', async () => {
    const { decryptor, pools } = recording()
    decryptor.prepare(INLINE_DECRYPTION_MAX)
    assert.equal(pools.length, 0)
    decryptor.prepare(INLINE_DECRYPTION_MAX + 1)
    decryptor.prepare(1_000)
    assert.equal(pools.length, 1)
    await decryptor.decrypt(encodeCiphertexts(pk, standIns(INLINE_DECRYPTION_MAX + 1)))
    assert.deepEqual(pools[0]!.calls, [INLINE_DECRYPTION_MAX + 1])
    await decryptor.close()
    decryptor.prepare(1_000)
    assert.equal(pools.length, 1, 'no pool made after close')
  })

  it('refuses bad input inline with typed errors, before any decryption and without a pool', async () => {
    const { decryptor, pools, paths } = recording()
    await assert.rejects(decryptor.decrypt(encodeCiphertexts(pk, [2n, key.q, 3n])), throwsNamed('CiphertextNotInvertibleError'))
    const ragged = new Uint8Array(512 * (INLINE_DECRYPTION_MAX + 10) + 1).fill(1)
    await assert.rejects(decryptor.decrypt(ragged), throwsNamed('CiphertextWidthError'))
    await assert.rejects(decryptor.decrypt(new Uint8Array(512)), throwsNamed('CiphertextOutOfRangeError'))
    assert.equal(pools.length, 0)
    assert.deepEqual(paths, [])
    await decryptor.close()
  })

  it('a stop mid-decryption rejects it with the stop reason, and leaves no thread alive', async function () {
    if (!existsSync('/proc/self/task')) this.skip()
    const threadsBefore = readdirSync('/proc/self/task').length
    const decryptor = new VectorDecryptor(key, { createPool: privateKey => new DecryptionPool(privateKey, { threads: 2, batchSize: 4 }) })
    const stopping = new AbortController()
    // ~5 s of decryption on two threads: the stop lands mid-run, as a coordinator's does.
    const pending = decryptor.decrypt(encodeCiphertexts(pk, standIns(4_000)), stopping.signal)
    await new Promise(resolve => setTimeout(resolve, 300))
    const reason = new Error('node stopping')
    stopping.abort(reason)
    await assert.rejects(pending, err => err === reason)
    await decryptor.close()
    await new Promise(resolve => setTimeout(resolve, 200))
    assert.ok(readdirSync('/proc/self/task').length <= threadsBefore, 'every worker thread has exited')
  })
})
