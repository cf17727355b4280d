// Child process for the pool tests: creates and destroys pools (encrypt, or decrypt given as argv[2]) before their threads finish loading, then exits 0.
import { readFileSync } from 'node:fs'
import { DecryptionPool } from '../../../node/crypto/decrypt-pool.ts'
import { EncryptionPool } from '../../../node/crypto/encrypt-pool.ts'
import { privateKeyFromJSON } from '../../../protocol/paillier/index.ts'

const key = privateKeyFromJSON(JSON.parse(readFileSync(new URL('../../fixtures/paillier-2048.json', import.meta.url), 'utf8')))
for (const delayMs of [0, 20]) {
  const pool = process.argv[2] === 'decrypt' ? new DecryptionPool(key, { threads: 2 }) : new EncryptionPool(key.publicKey, { threads: 2 })
  await new Promise(resolve => setTimeout(resolve, delayMs))
  await pool.destroy()
}
process.stdout.write('destroyed\n')
