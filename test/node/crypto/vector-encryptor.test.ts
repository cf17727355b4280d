// Tests VectorEncryptor over a stand-in pool doing real encryption on this thread: warm, partial and cold noise, key changes.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { ciphertextByteLength, decrypt, encodeCiphertexts, encrypt, freshRandomizer, writeFixedWidth } from '../../../protocol/paillier/index.ts'
import type { PaillierPublicKey } from '../../../protocol/paillier/index.ts'
import { ONE_OFF_ENCRYPTION_MAX, VectorEncryptor } from '../../../node/crypto/vector-encryptor.ts'
import type { PoolLease, VectorPool } from '../../../node/crypto/vector-encryptor.ts'
import { referenceKeys, testKey, throwsNamed } from '../../protocol/paillier/fixtures.ts'

const key = testKey(2048)
const pk = key.publicKey
const oracle = referenceKeys(key).privateKey

/**
 * Every ciphertext decrypts to its plaintext under our CRT decryption, and a sample (both ends and
 * each side of `boundary`, where noise gives way to the pool) under paillier-bigint's, which is
 * ~50x slower.
 */
function assertDecrypts (ciphertexts: bigint[], expected: readonly bigint[], boundary = 0): void {
  assert.equal(ciphertexts.length, expected.length)
  ciphertexts.forEach((c, i) => assert.equal(decrypt(key, c), expected[i]))
  for (const i of new Set([0, boundary - 1, boundary, expected.length - 1])) {
    if (i >= 0 && i < expected.length) assert.equal(oracle.decrypt(ciphertexts[i]!), expected[i])
  }
}

/** A pool that encrypts and makes randomizers on this thread, counting what it was asked for. */
class RecordingPool implements VectorPool {
  readonly publicKey: PaillierPublicKey
  encryptAllCalls: number[] = []
  randomizersMade = 0
  readonly buffers: Uint8Array[] = []
  released = 0
  /** Stand-in randomizers (2, 3, …) instead of real ones, for a key whose comb a test should not build. */
  readonly fake: boolean

  constructor (publicKey: PaillierPublicKey, fake = false) {
    this.publicKey = publicKey
    this.fake = fake
  }

  async encryptAll (plaintexts: readonly bigint[]): Promise<bigint[]> {
    this.encryptAllCalls.push(plaintexts.length)
    return plaintexts.map(m => encrypt(this.publicKey, m))
  }

  async randomizers (count: number): Promise<Uint8Array> {
    await new Promise(resolve => setImmediate(resolve))
    const width = ciphertextByteLength(this.publicKey)
    let bytes: Uint8Array
    if (this.fake) {
      bytes = new Uint8Array(count * width)
      for (let i = 0; i < count; i++) writeFixedWidth(BigInt(this.randomizersMade + i + 2), width, bytes, i * width)
    } else {
      bytes = encodeCiphertexts(this.publicKey, Array.from({ length: count }, () => freshRandomizer(this.publicKey)))
    }
    this.randomizersMade += count
    this.buffers.push(bytes)
    return bytes
  }

  lease (): PoolLease {
    return { pool: this, release: async () => { this.released++ } }
  }
}

// The randomizer inside c = (1 + m·n)·R mod n²: R = c·(1 − m·n) mod n², since (1 + m·n)(1 − m·n) ≡ 1.
function randomizerOf (c: bigint, m: bigint): bigint {
  return c * (1n - m * pk.n % pk.nSquared + pk.nSquared) % pk.nSquared
}

const length = ONE_OFF_ENCRYPTION_MAX + 36
const plaintexts = Array.from({ length }, (_, i) => (pk.n - 1n) / BigInt(i + 1))

describe('node/crypto/vector-encryptor', function () {
  this.timeout(120_000)

  it('with a warm pool, encrypts every value from noise (no pool work), and paillier-bigint decrypts them', async () => {
    const pool = new RecordingPool(pk)
    const encryptor = new VectorEncryptor({ noisePoolEntries: 1000, leasePool: () => pool.lease() })
    encryptor.prepare(pk, length)
    await encryptor.noise!.settled()
    assert.equal(encryptor.noiseReady, length, 'fills as many as the round needs, not maxEntries')
    const ciphertexts = await encryptor.encrypt(pk, plaintexts)
    assert.deepEqual(pool.encryptAllCalls, [])
    assertDecrypts(ciphertexts, plaintexts)
    await encryptor.close()
  })

  it('with a partial pool, uses the noise for the first values and the worker pool for the rest', async () => {
    const pool = new RecordingPool(pk)
    const encryptor = new VectorEncryptor({ noisePoolEntries: 30, leasePool: () => pool.lease() })
    encryptor.prepare(pk, length)
    await encryptor.noise!.settled()
    const ciphertexts = await encryptor.encrypt(pk, plaintexts)
    assert.deepEqual(pool.encryptAllCalls, [length - 30])
    assertDecrypts(ciphertexts, plaintexts, 30)
    // After a round it refills for the next one.
    await encryptor.noise!.settled()
    assert.equal(encryptor.noiseReady, 30)
    await encryptor.close()
  })

  it('refills only when prepared again if asked not to refill after encrypting (an aggregator)', async () => {
    const pool = new RecordingPool(pk)
    const encryptor = new VectorEncryptor({ noisePoolEntries: 30, refillAfterEncrypt: false, leasePool: () => pool.lease() })
    encryptor.prepare(pk, length)
    await encryptor.noise!.settled()
    await encryptor.encrypt(pk, plaintexts)
    await encryptor.noise!.settled()
    assert.equal(encryptor.noiseReady, 0)
    encryptor.prepare(pk, length)
    await encryptor.noise!.settled()
    assert.equal(encryptor.noiseReady, 30)
    await encryptor.close()
  })

  it('with the noise pool off or dry, falls back to the worker pool for everything', async () => {
    const pool = new RecordingPool(pk)
    const encryptor = new VectorEncryptor({ noisePoolEntries: 0, leasePool: () => pool.lease() })
    encryptor.prepare(pk, length)
    const ciphertexts = await encryptor.encrypt(pk, plaintexts)
    assert.deepEqual(pool.encryptAllCalls, [length])
    assert.equal(pool.randomizersMade, 0)
    assertDecrypts(ciphertexts, plaintexts)
    await encryptor.close()
  })

  it('never encrypts two ciphertexts with one randomizer, across rounds, fills and fallbacks', async () => {
    const pool = new RecordingPool(pk)
    const encryptor = new VectorEncryptor({ noisePoolEntries: 80, leasePool: () => pool.lease() })
    const seen = new Set<bigint>()
    await fc.assert(fc.asyncProperty(fc.integer({ min: ONE_OFF_ENCRYPTION_MAX + 1, max: 120 }), fc.boolean(), async (count, wait) => {
      encryptor.prepare(pk, count)
      if (wait) await encryptor.noise!.settled()
      const values = plaintexts.slice(0, count).concat(Array.from({ length: Math.max(0, count - plaintexts.length) }, () => 7n))
      const ciphertexts = await encryptor.encrypt(pk, values)
      ciphertexts.forEach((c, i) => {
        const r = randomizerOf(c, values[i]!)
        assert.ok(!seen.has(r), 'a randomizer served twice')
        seen.add(r)
      })
    }), { numRuns: 6 })
    await encryptor.close()
  })

  it('encrypts short vectors one-off, starting no pool', async () => {
    let leases = 0
    const encryptor = new VectorEncryptor({ noisePoolEntries: 100, leasePool: () => { leases++; return new RecordingPool(pk).lease() } })
    encryptor.prepare(pk, 3)
    const ciphertexts = await encryptor.encrypt(pk, [1n, 2n, 3n])
    assertDecrypts(ciphertexts, [1n, 2n, 3n])
    assert.equal(leases, 0)
    await encryptor.close()
  })

  it('drops (and zeroes) the noise of a key when the next round brings another key', async () => {
    const other = testKey(3072).publicKey
    const pools = new Map([[pk.fingerprint, new RecordingPool(pk, true)], [other.fingerprint, new RecordingPool(other, true)]])
    const encryptor = new VectorEncryptor({ noisePoolEntries: 50, leasePool: publicKey => pools.get(publicKey.fingerprint)!.lease() })
    encryptor.prepare(pk, length)
    const first = encryptor.noise!
    await first.settled()
    assert.equal(first.size, 50)
    encryptor.prepare(other, length)
    await new Promise(resolve => setImmediate(resolve))
    assert.equal(first.size, 0)
    const old = pools.get(pk.fingerprint)!
    assert.ok(old.buffers.every(bytes => bytes.every(byte => byte === 0)), 'old noise zeroed')
    assert.equal(old.released, 1, 'old key\'s pool released')
    assert.equal(encryptor.noise!.publicKey, other)
    await encryptor.close()
    assert.equal(pools.get(other.fingerprint)!.released, 1)
  })

  it('refuses to encrypt once closed, and refuses out-of-range plaintexts before using any noise', async () => {
    const pool = new RecordingPool(pk, true)
    const encryptor = new VectorEncryptor({ noisePoolEntries: 10, leasePool: () => pool.lease() })
    encryptor.prepare(pk, length)
    await encryptor.noise!.settled()
    await assert.rejects(encryptor.encrypt(pk, [...plaintexts, pk.n]), throwsNamed('PlaintextOutOfRangeError'))
    assert.equal(encryptor.noiseReady, 10)
    await encryptor.close()
    await assert.rejects(encryptor.encrypt(pk, plaintexts), throwsNamed('EncryptorClosedError'))
  })
})
