// Child process for encrypt-pool.test.ts: creates and destroys pools before their threads finish loading, then exits 0.
import { readFileSync } from 'node:fs'
import { EncryptionPool } from '../../../node/crypto/encrypt-pool.ts'
import { privateKeyFromJSON } from '../../../protocol/paillier/index.ts'

const key = privateKeyFromJSON(JSON.parse(readFileSync(new URL('../../fixtures/paillier-2048.json', import.meta.url), 'utf8')))
for (const delayMs of [0, 20]) {
  const pool = new EncryptionPool(key.publicKey, { threads: 2 })
  await new Promise(resolve => setTimeout(resolve, delayMs))
  await pool.destroy()
}
process.stdout.write('destroyed\n')
