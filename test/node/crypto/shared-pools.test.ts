// Tests the process-wide pool registry: one pool per key shared by every lease, destroyed with the last one.
import assert from 'node:assert/strict'
import { leaseEncryptionPool, sharedPoolCount } from '../../../node/crypto/shared-pools.ts'
import { decrypt } from '../../../protocol/paillier/index.ts'
import { testKey } from '../../protocol/paillier/fixtures.ts'

describe('node/crypto/shared-pools', function () {
  this.timeout(60_000)
  const key = testKey(2048)

  it('hands every lease of one key the same pool, and destroys it with the last release', async () => {
    const a = leaseEncryptionPool(key.publicKey)
    // Another key object for the same key (each announcement parses its own): the same pool.
    const b = leaseEncryptionPool({ ...key.publicKey })
    try {
      assert.equal(a.pool, b.pool)
      assert.equal(sharedPoolCount(), 1)
      await a.release()
      await a.release()
      assert.equal(sharedPoolCount(), 1, 'a second release of one lease counts once')
      const [c] = await b.pool.encryptAll([5n])
      assert.equal(decrypt(key, c!), 5n)
    } finally {
      await b.release()
    }
    assert.equal(sharedPoolCount(), 0)
    const again = leaseEncryptionPool(key.publicKey)
    assert.notEqual(again.pool, b.pool)
    await again.release()
  })

  it('keeps a native pool apart from the comb pool of the same key', async () => {
    const comb = leaseEncryptionPool(key.publicKey)
    const native = leaseEncryptionPool(key.publicKey, { powers: 'native', threads: 1 })
    const nativeAgain = leaseEncryptionPool({ ...key.publicKey }, { powers: 'native', threads: 1 })
    try {
      assert.notEqual(comb.pool, native.pool)
      assert.equal(native.pool, nativeAgain.pool)
      assert.equal(native.pool.powers, 'native')
      assert.equal(native.pool.threads, 1)
      assert.equal(sharedPoolCount(), 2)
    } finally {
      await Promise.all([comb.release(), native.release(), nativeAgain.release()])
    }
    assert.equal(sharedPoolCount(), 0)
  })
})
