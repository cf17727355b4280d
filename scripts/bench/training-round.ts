// Times one training round of C clients × P parameters over real nodes on loopback, split by phase, excluding local training.
//
// Usage: npm run bench:training-round -- [--json] [--clients 5] [--parameters 65536] [--bits 3072|2048]
//
// The round is a session round: fixed:24 with clip 1 and a 16-bit weight (the session defaults). Phases,
// as wall-clock seconds, all nodes in this one process:
//   submit    every client at once: encode and pack (with the tag slot), encrypt on the worker pool, send
//             the tag key, stream the ciphertexts over its open connection (a warm-up round opens it, as a
//             session's earlier rounds have); the aggregator validates, stores and folds each before its receipt
//   settle    aggregator closes (re-randomizes, signs the transcript), coordinator pulls the aggregate,
//             checks statements and decrypts it
// Apart, on the same vectors: encryption alone (one warmed worker pool per client, all at once), so
// transfer ≈ submit − encrypt; the homomorphic fold of the submissions; the decryption.
import { availableParallelism, loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import { EncryptionPool } from '../../node/crypto/encrypt-pool.ts'
import { CiphertextAccumulator } from '../../protocol/aggregate/index.ts'
import { encodeAndPack } from '../../protocol/encoding/index.ts'
import { decrypt } from '../../protocol/paillier/index.ts'
import { DEFAULT_SESSION_SETTINGS } from '../../protocol/training/index.ts'
import { fixtureKey, startFederation, waitUntil } from '../../test/helpers/federation.ts'

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    clients: { type: 'string', default: '5' },
    parameters: { type: 'string', default: '65536' },
    bits: { type: 'string', default: '3072' }
  }
})
const clientCount = Number(args.clients)
const parameters = Number(args.parameters)
const keyBits = Number(args.bits)
if (keyBits !== 2048 && keyBits !== 3072) throw new Error(`--bits: expected 2048 or 3072, got ${args.bits}`)
const note = (text: string): void => { process.stderr.write(text + '\n') }
const seconds = (from: number): number => Number(((performance.now() - from) / 1000).toFixed(3))

const { clip, fractionBits, weightBits } = DEFAULT_SESSION_SETTINGS
const key = await fixtureKey(keyBits)
note(`starting a federation: coordinator, aggregator, ${clientCount} clients (${keyBits}-bit key)`)
const federation = await startFederation({ clients: clientCount, paillierKey: key })
const pools: EncryptionPool[] = []
try {
  const { coordinator, clients } = federation
  // A round of a running session finds its connections open: a small warm-up round dials the aggregator first.
  const warmUp = await coordinator.openRound({ length: 1, encoding: 'int:8', minParticipants: clientCount, deadlineSeconds: 120 })
  await Promise.all(clients.map(async client => waitUntil(async () => (await client.round(warmUp.roundId)) !== undefined, 'the announcement', 30_000)))
  await Promise.all(clients.map(async client => client.submit([1], { roundId: warmUp.roundId })))
  await coordinator.waitForResult(warmUp.roundId, { signal: AbortSignal.timeout(120_000) })
  note('warm-up round done: every client has its connection to the aggregator')
  const round = await coordinator.openRound({
    length: parameters, encoding: `fixed:${fractionBits}`, clip, weightBits, minParticipants: clientCount, deadlineSeconds: 600
  })
  await Promise.all(clients.map(async client => waitUntil(async () => (await client.round(round.roundId)) !== undefined, 'the announcement', 30_000)))
  const announced = clients[0]!.libp2p.services.client!.knownRounds().find(known => known.announcement.roundId === round.roundId)!
  const { plan, publicKey } = announced
  // Updates of a few SGD steps: small values, a few beyond the clip bound.
  const updates = clients.map((_, c) => Array.from({ length: parameters }, (_, j) => Math.sin(j * 0.37 + c) * 0.05 * (j % 1000 === 0 ? 40 : 1)))
  const weights = clients.map((_, c) => 900 + 37 * c)

  // The clients' own path: encode, pack (with the tag slot), encrypt, send the tag key, stream, fold, receipt.
  let started = performance.now()
  await Promise.all(clients.map(async (client, c) => client.submit(updates[c]!, { roundId: round.roundId, weight: weights[c]! })))
  const submit = seconds(started)

  started = performance.now()
  const result = await coordinator.waitForResult(round.roundId, { signal: AbortSignal.timeout(600_000) })
  const settle = seconds(started)
  if (result.status !== 'decrypted') throw new Error(`round ${round.roundId} ended ${result.status}: ${result.reason ?? ''}`)

  // Apart: encryption alone (one worker pool per client, all at once, pools warmed first), the fold, the decryption.
  for (const _ of clients) pools.push(new EncryptionPool(publicKey))
  await Promise.all(pools.map(async pool => pool.encryptAll([1n])))
  const packed = clients.map((_, c) => encodeAndPack(announced.spec, plan, updates[c]!, weights[c]!))
  started = performance.now()
  const ciphertexts = await Promise.all(packed.map(async (plaintexts, c) => pools[c]!.encryptAll(plaintexts)))
  const encrypt = seconds(started)
  started = performance.now()
  const accumulator = new CiphertextAccumulator(publicKey.n * publicKey.n, plan.ciphertexts)
  for (const submission of ciphertexts) accumulator.add(submission)
  const aggregateFold = seconds(started)
  started = performance.now()
  for (const c of accumulator.value()) decrypt(key, c)
  const decryptSeconds = seconds(started)

  const report = {
    clients: clientCount,
    parameters,
    keyBits,
    ciphertextsPerClient: plan.ciphertexts,
    bytesPerClient: plan.bytesOnWire,
    phases: { submit, settle },
    apart: { encrypt, aggregateFold, decrypt: decryptSeconds },
    roundSeconds: Number((submit + settle).toFixed(3)),
    cores: availableParallelism(),
    loadAverage: loadavg().map(load => Number(load.toFixed(2)))
  }
  if (args.json) {
    process.stdout.write(JSON.stringify(report) + '\n')
  } else {
    process.stdout.write(`one round, ${clientCount} clients × ${parameters} parameters, ${keyBits}-bit key, ${report.cores} cores (load ${report.loadAverage.join(' ')})\n` +
      `  ${plan.ciphertexts} ciphertexts (${(report.bytesPerClient / 2 ** 20).toFixed(2)} MiB) per client\n` +
      `  submit    ${submit} s   (all clients at once: encode, encrypt, stream, validate, store, fold, receipt)\n` +
      `  settle    ${settle} s   (close + re-randomize, pull, decrypt, record)\n` +
      `  total     ${report.roundSeconds} s   excluding training\n` +
      `  apart: encryption of all ${clientCount} updates ${encrypt} s (so transfer ≈ ${Number((submit - encrypt).toFixed(3))} s), fold ${aggregateFold} s, decryption ${decryptSeconds} s\n`)
  }
} finally {
  await Promise.all(pools.map(async pool => pool.destroy()))
  await federation.stop()
}
