// End to end: clients encrypt a round from precomputed noise, and no randomizer reaches any node's disk or the logs.
import assert from 'node:assert/strict'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { disable, enable } from '@libp2p/logger'
import { decodeCiphertexts, decrypt, writeFixedWidth, ciphertextByteLength } from '../../protocol/paillier/index.ts'
import { parseEncoding, planPacking } from '../../protocol/encoding/index.ts'
import { fixtureKey, metric, startFederation, waitUntil } from '../helpers/federation.ts'
import type { TestFederation } from '../helpers/federation.ts'
import { withDatabase } from '../helpers/node-db.ts'

async function filesUnder (dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true })
  return entries.filter(entry => entry.isFile()).map(entry => join(entry.parentPath, entry.name))
}

describe('precomputed noise over a federation', function () {
  this.timeout(300_000)
  let federation: TestFederation | undefined
  const logged: string[] = []
  const writes = { stdout: process.stdout.write, stderr: process.stderr.write }

  before(() => {
    // Every fedagg debug line, wherever the logger writes it.
    for (const stream of ['stdout', 'stderr'] as const) {
      const original = writes[stream]
      process[stream].write = function (chunk: unknown, ...rest: unknown[]): boolean {
        logged.push(String(chunk))
        return (original as (...args: unknown[]) => boolean).call(process[stream], chunk, ...rest)
      } as typeof process.stdout.write
    }
    enable('fedagg:*')
  })

  after(async () => {
    disable()
    process.stdout.write = writes.stdout
    process.stderr.write = writes.stderr
    await federation?.stop()
  })

  it('encrypts from the noise pool, decrypts right, and leaves no randomizer on disk or in the logs', async () => {
    federation = await startFederation({ clients: 3 })
    const { coordinator, aggregator, clients } = federation
    const key = await fixtureKey(2048)
    const pk = key.publicKey
    // 10,000 fixed:16 values need ~100 ciphertexts at 2048 bits, past the one-off limit of 64.
    const length = 10_000
    const plan = planPacking({ length, encoding: parseEncoding('fixed:16', { clip: 1 }), maxParticipants: 16 }, 2048)
    const needed = plan.ciphertexts
    assert.ok(needed > 64)
    const round = await coordinator.openRound({ length, encoding: 'fixed:16', clip: 1, minParticipants: 3, maxParticipants: 16, deadlineSeconds: 240 })
    await Promise.all(clients.map(async client => waitUntil(async () => (await client.round(round.roundId)) !== undefined, 'announcement')))
    // The announcement alone starts the background fill; wait until every client holds a full round of noise.
    await Promise.all(clients.map(async client => waitUntil(async () => metric(await client.metrics.render(), 'fedagg_client_noise_pool_entries') >= needed, 'a warm noise pool', 200_000)))
    // The aggregator's too: the encryptions of zero that will re-randomize the aggregate.
    await waitUntil(async () => metric(await aggregator.metrics.render(), 'fedagg_aggregator_noise_pool_entries') >= needed, 'a warm aggregator noise pool', 200_000)
    const vectors = clients.map((_, c) => Array.from({ length }, (_, i) => Math.cos(i * (c + 1)) * 0.9))
    await Promise.all(clients.map(async (client, c) => client.submit(vectors[c]!, { roundId: round.roundId })))
    const result = await coordinator.waitForResult(round.roundId, { signal: AbortSignal.timeout(200_000) })
    assert.equal(result.status, 'decrypted')
    for (let i = 0; i < length; i += 997) {
      const expected = vectors.reduce((sum, vector) => sum + vector[i]!, 0)
      assert.ok(Math.abs(Number(result.sum[i]) - expected) <= 3 * 2 ** -17, `value ${i}`)
    }
    for (const client of clients) {
      const text = await client.metrics.render()
      assert.equal(metric(text, 'fedagg_client_ciphertexts_encrypted_total', 'path="noise"'), needed, 'every ciphertext came from the noise pool')
      assert.equal(metric(text, 'fedagg_client_ciphertexts_encrypted_total', 'path="pool"'), 0)
    }
    const aggregatorText = await aggregator.metrics.render()
    assert.equal(metric(aggregatorText, 'fedagg_aggregator_zero_encryptions_total', 'path="noise"'), needed, 'the aggregate was re-randomized from precomputed noise')
    assert.equal(metric(aggregatorText, 'fedagg_aggregator_zero_encryptions_total', 'path="pool"'), 0)

    // Recover each randomizer the clients used: c = (1 + m·n)·R, so R = c·(1 − m·n) mod n².
    const blobs = withDatabase(aggregator.dataDir, db => db.prepare('SELECT ciphertexts FROM submissions WHERE round_id = ?').all(round.roundId).map(row => row.ciphertexts as Uint8Array))
    assert.equal(blobs.length, 3)
    const randomizers = blobs.flatMap(blob => decodeCiphertexts(pk, blob)).map(c => {
      const m = decrypt(key, c)
      return c * ((1n - m * pk.n % pk.nSquared + pk.nSquared) % pk.nSquared) % pk.nSquared
    })
    assert.equal(new Set(randomizers).size, randomizers.length, 'no randomizer served twice')

    const width = ciphertextByteLength(pk)
    const files = (await Promise.all(federation.dirs.map(filesUnder))).flat()
    assert.ok(files.some(file => file.endsWith('node.db')))
    const contents = await Promise.all(files.map(async file => ({ file, bytes: await readFile(file) })))
    const log = logged.join('')
    assert.ok(log.includes('fedagg:'), 'the logs were captured')
    for (const r of randomizers) {
      const bytes = new Uint8Array(width)
      writeFixedWidth(r, width, bytes, 0)
      // Any 32-byte window of R on disk, or 32 hex / 40 decimal digits of it in a log line, would be a leak.
      const needle = Buffer.from(bytes.subarray(width / 2, width / 2 + 32))
      for (const { file, bytes: content } of contents) assert.equal(content.indexOf(needle), -1, `a randomizer is in ${file}`)
      const hex = r.toString(16)
      const decimal = r.toString(10)
      assert.ok(!log.includes(hex.slice(hex.length / 2, hex.length / 2 + 32)), 'a randomizer is in the logs (hex)')
      assert.ok(!log.includes(decimal.slice(decimal.length / 2, decimal.length / 2 + 40)), 'a randomizer is in the logs (decimal)')
    }
  })
})
