// Tests NoisePool with a scripted source: each randomizer handed out once, the memory bound, zeroing, failures.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { bytesToBigint, ciphertextByteLength, writeFixedWidth } from '../../../protocol/paillier/index.ts'
import { NoisePool } from '../../../node/crypto/noise-pool.ts'
import { testKey, throwsNamed } from '../../protocol/paillier/fixtures.ts'

const pk = testKey(2048).publicKey
const width = ciphertextByteLength(pk)

/** Hands out 2, 3, 4, … as randomizers and keeps every buffer it made, so tests can see what was zeroed. */
class CountingSource {
  next = 2n
  requested = 0
  readonly buffers: Uint8Array[] = []
  failWith: Error | undefined

  async randomizers (count: number): Promise<Uint8Array> {
    await new Promise(resolve => setImmediate(resolve))
    if (this.failWith !== undefined) throw this.failWith
    this.requested += count
    const bytes = new Uint8Array(count * width)
    for (let i = 0; i < count; i++) writeFixedWidth(this.next++, width, bytes, i * width)
    this.buffers.push(bytes)
    return bytes
  }

  /** Values still readable in the source's buffers (entries not yet zeroed). */
  live (): bigint[] {
    return this.buffers.flatMap(bytes => Array.from({ length: bytes.length / width }, (_, i) => bytesToBigint(bytes, i * width, width))).filter(v => v !== 0n)
  }
}

describe('node/crypto/noise-pool', () => {
  it('hands out each randomizer at most once and zeroes it, for any interleaving of fills and takes', async () => {
    const op = fc.oneof(
      fc.record({ fill: fc.integer({ min: 0, max: 40 }) }),
      fc.record({ take: fc.integer({ min: 0, max: 25 }) }),
      fc.record({ settle: fc.constant(true) })
    )
    await fc.assert(fc.asyncProperty(fc.array(op, { maxLength: 20 }), fc.integer({ min: 0, max: 30 }), async (ops, maxEntries) => {
      const source = new CountingSource()
      const pool = new NoisePool(pk, source, { maxEntries, batchSize: 7 })
      const taken: bigint[] = []
      for (const step of ops) {
        if ('fill' in step) pool.fill(step.fill)
        else if ('take' in step) taken.push(...pool.take(step.take))
        else await pool.settled()
        assert.ok(pool.size <= maxEntries)
      }
      await pool.settled()
      assert.equal(new Set(taken).size, taken.length, 'a randomizer was handed out twice')
      // Whatever was handed out is gone from the pool's memory; what is left is exactly what it holds.
      const live = source.live()
      for (const value of taken) assert.ok(!live.includes(value))
      assert.equal(live.length, pool.size)
      await pool.close()
      assert.deepEqual(source.live(), [])
    }), { numRuns: 60 })
  })

  it('fills up to min(target, maxEntries) and no further, batch by batch', async () => {
    const source = new CountingSource()
    const pool = new NoisePool(pk, source, { maxEntries: 10, batchSize: 4 })
    pool.fill(100)
    await pool.settled()
    assert.equal(pool.size, 10)
    assert.equal(source.requested, 10)
    assert.equal(pool.bytes, 10 * width)
    assert.equal(pool.take(3).length, 3)
    pool.fill(5)
    await pool.settled()
    assert.equal(pool.size, 7, 'a pool above its new target asks for nothing')
    assert.equal(source.requested, 10)
    await pool.close()
  })

  it('hands out what it has when asked for more, and nothing when empty', async () => {
    const source = new CountingSource()
    const pool = new NoisePool(pk, source, { maxEntries: 5 })
    pool.fill()
    await pool.settled()
    assert.deepEqual(pool.take(8), [2n, 3n, 4n, 5n, 6n])
    assert.deepEqual(pool.take(1), [])
    await pool.close()
  })

  it('does no work when turned off (maxEntries 0)', async () => {
    const source = new CountingSource()
    const pool = new NoisePool(pk, source, { maxEntries: 0 })
    pool.fill(1000)
    await pool.settled()
    assert.equal(source.requested, 0)
    await pool.close()
  })

  it('reports a failing source and stops filling', async () => {
    const source = new CountingSource()
    source.failWith = new Error('worker gone')
    const errors: Error[] = []
    const pool = new NoisePool(pk, source, { maxEntries: 5, onError: err => errors.push(err) })
    pool.fill()
    await pool.settled()
    assert.deepEqual(errors, [source.failWith])
    assert.equal(pool.size, 0)
    await pool.close()
  })

  it('zeroes a batch that arrives after close', async () => {
    const source = new CountingSource()
    const pool = new NoisePool(pk, source, { maxEntries: 5 })
    pool.fill()
    await pool.close()
    assert.equal(pool.size, 0)
    assert.deepEqual(source.live(), [])
    pool.fill()
    await pool.settled()
    assert.equal(pool.size, 0, 'a closed pool stays empty')
  })

  it('refuses nonsensical options', () => {
    for (const options of [{ maxEntries: -1 }, { maxEntries: 1.5 }, { maxEntries: 4, batchSize: 0 }]) {
      assert.throws(() => new NoisePool(pk, new CountingSource(), options), throwsNamed('InvalidPoolOptionsError'), JSON.stringify(options))
    }
  })
})
