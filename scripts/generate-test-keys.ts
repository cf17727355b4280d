// Generates the Paillier test keys once (test/fixtures/paillier-<bits>.json); tests load them, never generate them.
// Usage: node scripts/generate-test-keys.ts [bits ...]   (default: 2048 3072). These keys are public test data: never use them.
// Their h_s is derived from n (derived-hs.ts); afterwards run python3 scripts/generate-paillier-kat.py for the known-answer vectors.
import { writeFile } from 'node:fs/promises'
import { generateKeyPair } from '../node/crypto/keygen.ts'
import { privateKeyToJSON } from '../protocol/paillier/index.ts'

const sizes = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [2048, 3072]
for (const bits of sizes) {
  const started = performance.now()
  const privateKey = await generateKeyPair(bits, {
    onProgress: ({ phase, done, total }) => { console.log(`${bits} bits: ${phase} (${done}/${total}) after ${((performance.now() - started) / 1000).toFixed(1)} s`) }
  })
  const file = new URL(`../test/fixtures/paillier-${bits}.json`, import.meta.url)
  await writeFile(file, JSON.stringify(privateKeyToJSON(privateKey), null, 2) + '\n')
  console.log(`wrote ${file.pathname}, fingerprint ${privateKey.publicKey.fingerprint}`)
}
