// Benchmarks the Paillier engine beside plain paillier-bigint in the same run: encrypt/add/decrypt per value, wire bytes, 1 vs all cores.
//
// Usage: npm run bench:crypto [-- --json] [--bits 2048,3072] [--pool-values 1000000] [--rounds 3] [--comb | --integrity | --decrypt]
//   --json         print only an array of rows { keyBits, op, valuesPerSecond, baselineValuesPerSecond, ratio, bytesPerValue, cores, msPerCiphertext }
//   --comb         instead, sweep fixed-base comb shapes for h_s^r (slow: builds tables up to ~200 MB), then
//                  time an EncryptionPool from construction to its first ciphertexts on every thread (one shared comb)
//   --integrity    instead, the cost of round integrity (quick): values per ciphertext and bytes per value with
//                  and without the tag slot, tag derivation per ciphertext, Ed25519 sign/verify of a statement
//   --decrypt      instead, the coordinator's decryption of one aggregate of --ciphertexts (default 1,177: 10 clients
//                  × 100,000 fixed:16 params at 2048 bits) on its event loop against the DecryptionPool on every core:
//                  wall time, the pool's first call (thread start-up included) apart, and the event loop's longest stall
//
// fedagg runs as the product does: int:32 values from up to 16 participants packed by planPacking
// (slotBits = 32 + 4 + 1 = 37, ⌊(k − 2)/37⌋ values per ciphertext), DJN encryption through the comb,
// CRT decryption through OpenSSL. The baseline is paillier-bigint as shipped: keys from its own
// generateRandomKeys(bits), one value per ciphertext, its encrypt/addition/decrypt. Each figure is
// the median of --rounds timed rounds. Encryption rates exclude the one-off comb build, reported apart.
// Encryption is also split as a client with a noise pool runs it: 'encrypt-offline' makes one
// randomizer h_s^r (freshRandomizer, done in the background before the values exist) and
// 'encrypt-online' turns a precomputed randomizer into a ciphertext (encryptWithRandomizer, one
// product): the cost a round pays per ciphertext once the pool is warm. Both are per ciphertext of
// `slots` values, like 'encrypt', which is their sum.
import { readFileSync } from 'node:fs'
import { availableParallelism, cpus } from 'node:os'
import { parseArgs } from 'node:util'
import { generateRandomKeys } from 'paillier-bigint'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { TAG_KEY_BYTES, deriveTags } from '../../protocol/encoding/index.ts'
import { encodeAndPack, planPacking } from '../../protocol/encoding/packing.ts'
import type { PackingPlan } from '../../protocol/encoding/packing.ts'
import { parseEncoding } from '../../protocol/encoding/spec.ts'
import { addCiphertexts, ciphertextByteLength, decodeCiphertexts, decrypt, encodeCiphertexts, encrypt, encryptionComb, encryptWithRandomizer, FixedBaseComb, freshRandomizer, FixedExponentPow, littleEndianToBigint, modPow, privateKeyFromJSON, randomExponentBytes, randomnessBits, randomUnit, squareAndMultiply } from '../../protocol/paillier/index.ts'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { DecryptionPool } from '../../node/crypto/decrypt-pool.ts'
import { EncryptionPool } from '../../node/crypto/encrypt-pool.ts'
import type { CombShape, PaillierPrivateKey } from '../../protocol/paillier/index.ts'
import { signSubmissionStatement, submissionStatement, verifySubmissionStatement } from '../../protocol/round/index.ts'

type Op = 'encrypt' | 'encrypt-offline' | 'encrypt-online' | 'add' | 'decrypt'

interface Row {
  keyBits: number
  op: Op
  valuesPerSecond: number
  baselineValuesPerSecond: number
  ratio: number
  bytesPerValue: number
  cores: number
  /** Wall milliseconds per ciphertext on one thread; for the pool row, with all `cores` threads at work. */
  msPerCiphertext: number
}

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    bits: { type: 'string', default: '2048,3072' },
    'pool-values': { type: 'string', default: '1000000' },
    rounds: { type: 'string', default: '3' },
    comb: { type: 'boolean', default: false },
    integrity: { type: 'boolean', default: false },
    decrypt: { type: 'boolean', default: false },
    ciphertexts: { type: 'string', default: '1177' }
  }
})
const keySizes = args.bits.split(',').map(Number)
const poolValues = Number(args['pool-values'])
const rounds = Number(args.rounds)
const cores = availableParallelism()
const INT32 = 2 ** 32

// Human-readable progress goes to stderr, so stdout carries only the table or the JSON.
const note = (text: string): void => { process.stderr.write(text + '\n') }

/** Median seconds per operation over `rounds` rounds of `count` calls of fn(i). */
function secondsPerOp (count: number, fn: (i: number) => unknown): number {
  const samples: number[] = []
  for (let round = 0; round < rounds; round++) {
    const started = performance.now()
    for (let i = 0; i < count; i++) fn(i)
    samples.push((performance.now() - started) / 1000 / count)
  }
  samples.sort((a, b) => a - b)
  return samples[Math.floor(samples.length / 2)]!
}

/** The product's packing of int:32 values from at most 16 participants: plan and packed plaintexts. */
function packInt32 (keyBits: number, values: number[]): { plan: PackingPlan, plaintexts: bigint[] } {
  const spec = { length: values.length, encoding: parseEncoding('int:32'), maxParticipants: 16 }
  const plan = planPacking(spec, keyBits)
  return { plan, plaintexts: encodeAndPack(spec, plan, values) }
}

function randomInt32s (count: number): number[] {
  return Array.from({ length: count }, () => Math.floor(Math.random() * INT32))
}

function loadKey (bits: number): PaillierPrivateKey {
  // The committed test keys: generating 3072-bit keys on every run would only add minutes.
  return privateKeyFromJSON(JSON.parse(readFileSync(new URL(`../../test/fixtures/paillier-${bits}.json`, import.meta.url), 'utf8')))
}

async function benchKeySize (keyBits: number): Promise<{ rows: Row[], notes: string[] }> {
  const notes: string[] = []
  const key = loadKey(keyBits)
  const pk = key.publicKey
  const { plan } = packInt32(keyBits, randomInt32s(poolValues))
  const slots = plan.slotsPerCiphertext
  note(`[${keyBits}] ${slots} int32 values per ciphertext; building comb…`)

  let started = performance.now()
  encryptionComb(pk)
  const combSeconds = (performance.now() - started) / 1000
  notes.push(`comb build ${combSeconds.toFixed(2)} s (${encryptionComb(pk).entries.toLocaleString('en-US')} entries ≈ ${(encryptionComb(pk).entries * ciphertextByteLength(pk) / 1e6).toFixed(0)} MB)`)

  const { plaintexts } = packInt32(keyBits, randomInt32s(slots * 400))
  const encryptCount = keyBits <= 2048 ? 300 : 150
  note(`[${keyBits}] fedagg encrypt ×${encryptCount}…`)
  const encryptSeconds = secondsPerOp(encryptCount, i => encrypt(pk, plaintexts[i % plaintexts.length]!))
  note(`[${keyBits}] fedagg offline (randomizer) and online (one product) halves ×${encryptCount}…`)
  // Every randomizer the offline rounds make is used exactly once by the online rounds, as the noise pool does.
  const randomizers: bigint[] = []
  const offlineSeconds = secondsPerOp(encryptCount, () => randomizers.push(freshRandomizer(pk)))
  let nextRandomizer = 0
  const onlineSeconds = secondsPerOp(encryptCount, i => encryptWithRandomizer(pk, plaintexts[i % plaintexts.length]!, randomizers[nextRandomizer++]!))
  if (decrypt(key, encryptWithRandomizer(pk, plaintexts[0]!, freshRandomizer(pk))) !== plaintexts[0]) throw new Error('fedagg offline/online round trip failed')
  const ciphertexts = plaintexts.slice(0, 200).map(m => encrypt(pk, m))
  note(`[${keyBits}] fedagg add, decrypt…`)
  let aggregate = ciphertexts[0]!
  const addSeconds = secondsPerOp(20_000, i => { aggregate = addCiphertexts(pk, aggregate, ciphertexts[i % ciphertexts.length]!) })
  const decryptSeconds = secondsPerOp(keyBits <= 2048 ? 100 : 50, i => decrypt(key, ciphertexts[i % ciphertexts.length]!))
  for (let i = 0; i < 5; i++) if (decrypt(key, ciphertexts[i]!) !== plaintexts[i]) throw new Error('fedagg round trip failed')

  note(`[${keyBits}] paillier-bigint generateRandomKeys(${keyBits})…`)
  started = performance.now()
  const baseline = await generateRandomKeys(keyBits)
  notes.push(`paillier-bigint generateRandomKeys ${((performance.now() - started) / 1000).toFixed(1)} s`)
  const baselineValues = randomInt32s(64).map(BigInt)
  const baselineCount = keyBits <= 2048 ? 20 : 10
  note(`[${keyBits}] paillier-bigint encrypt ×${baselineCount}, add, decrypt ×${baselineCount}…`)
  const baselineEncryptSeconds = secondsPerOp(baselineCount, i => baseline.publicKey.encrypt(baselineValues[i]!))
  const baselineCiphertexts = baselineValues.slice(0, baselineCount).map(m => baseline.publicKey.encrypt(m))
  let baselineAggregate = baselineCiphertexts[0]!
  const baselineAddSeconds = secondsPerOp(20_000, i => { baselineAggregate = baseline.publicKey.addition(baselineAggregate, baselineCiphertexts[i % baselineCount]!) })
  const baselineDecryptSeconds = secondsPerOp(baselineCount, i => baseline.privateKey.decrypt(baselineCiphertexts[i]!))
  if (baseline.privateKey.decrypt(baselineCiphertexts[0]!) !== baselineValues[0]) throw new Error('paillier-bigint round trip failed')

  const bytesPerValue = plan.bytesPerValue
  const baselineBytesPerValue = ciphertextByteLength(pk)
  // Rates per value: fedagg handles `slots` values per ciphertext operation, paillier-bigint one.
  const row = (op: Op, valuesPerSecond: number, baselineSecondsPerOp: number, rowCores = 1): Row => {
    const baselineValuesPerSecond = 1 / baselineSecondsPerOp
    const msPerCiphertext = 1000 * slots / valuesPerSecond
    return { keyBits, op, valuesPerSecond, baselineValuesPerSecond, ratio: valuesPerSecond / baselineValuesPerSecond, bytesPerValue, cores: rowCores, msPerCiphertext }
  }
  const rows = [
    row('encrypt', slots / encryptSeconds, baselineEncryptSeconds),
    row('encrypt-offline', slots / offlineSeconds, baselineEncryptSeconds),
    row('encrypt-online', slots / onlineSeconds, baselineEncryptSeconds),
    row('add', slots / addSeconds, baselineAddSeconds),
    row('decrypt', slots / decryptSeconds, baselineDecryptSeconds)
  ]
  notes.push(`bytes on the wire per value: fedagg ${bytesPerValue.toFixed(2)}, paillier-bigint ${baselineBytesPerValue} (one ${baselineBytesPerValue}-byte ciphertext per value)`)

  const pool = new EncryptionPool(pk)
  try {
    note(`[${keyBits}] EncryptionPool on ${pool.threads} threads: warming up…`)
    await pool.encryptAll(plaintexts.slice(0, pool.threads * 64))
    const vector = packInt32(keyBits, randomInt32s(poolValues)).plaintexts
    note(`[${keyBits}] EncryptionPool: ${poolValues.toLocaleString('en-US')} values = ${vector.length.toLocaleString('en-US')} ciphertexts…`)
    started = performance.now()
    const cpuBefore = process.cpuUsage() // all threads of this process, in µs
    await pool.encryptAll(vector)
    const poolSeconds = (performance.now() - started) / 1000
    const cpu = process.cpuUsage(cpuBefore)
    const poolCpuSeconds = (cpu.user + cpu.system) / 1e6
    const poolRow = row('encrypt', poolValues / poolSeconds, baselineEncryptSeconds, pool.threads)
    rows.push(poolRow)
    // The machine may be shared: measure the single-thread rate again right after the pool run and
    // compare against the mean of before and after, so a load change mid-run skews the ratio less.
    note(`[${keyBits}] fedagg encrypt ×${encryptCount} again, single thread…`)
    const singleBefore = slots / encryptSeconds
    const singleAfter = slots / secondsPerOp(encryptCount, i => encrypt(pk, plaintexts[i % plaintexts.length]!))
    const single = (singleBefore + singleAfter) / 2
    notes.push(`${poolValues.toLocaleString('en-US')} values on ${pool.threads} threads in ${poolSeconds.toFixed(1)} s: ${(poolRow.valuesPerSecond / single).toFixed(2)}x the single-thread rate (${single.toFixed(0)} values/s: mean of ${singleBefore.toFixed(0)} before and ${singleAfter.toFixed(0)} after, ${encryptCount} encryptions × ${rounds} rounds each)`)
    // CPU time shows whether a shortfall is the pool's or the machine's: the process got
    // poolCpuSeconds / poolSeconds cores, and each CPU-second should encrypt what one core does alone.
    notes.push(`  the pool kept ${(poolCpuSeconds / poolSeconds).toFixed(2)} cores busy on average (the rest went to other processes) and encrypted ${(poolValues / poolCpuSeconds).toFixed(0)} values per CPU-second`)
  } finally {
    await pool.destroy()
  }
  return { rows, notes }
}

// Candidates for the modular exponentiation behind decryption, at its exact shape: base^(p − 1) mod p²
// for the test key's p (k-bit modulus, k/2-bit exponent).
function slidingWindow (base: bigint, exponent: bigint, modulus: bigint, window = 5): bigint {
  // odd[i] = base^(2i+1): 2^(w−1) precomputed odd powers.
  const square = base * base % modulus
  const odd = [base % modulus]
  for (let i = 1; i < 1 << (window - 1); i++) odd.push(odd[i - 1]! * square % modulus)
  const bits = exponent.toString(2)
  let result = 1n
  let i = 0
  while (i < bits.length) {
    if (bits[i] === '0') {
      result = result * result % modulus
      i++
      continue
    }
    // Longest window of at most w bits starting here and ending in a 1.
    let end = Math.min(i + window, bits.length)
    while (bits[end - 1] === '0') end--
    for (let s = i; s < end; s++) result = result * result % modulus
    result = result * odd[(Number.parseInt(bits.slice(i, end), 2) - 1) / 2]! % modulus
    i = end
  }
  return result
}

function benchModPow (keyBits: number): string[] {
  const { p, pSquared } = loadKey(keyBits)
  const exponent = p - 1n
  const base = randomOdd(keyBits - 8)
  const context = new FixedExponentPow(exponent, pSquared)
  const expected = modPow(base, exponent, pSquared)
  const candidates: Array<[string, (b: bigint) => bigint]> = [
    ['BigInt square-and-multiply', b => squareAndMultiply(b, exponent, pSquared)],
    ['BigInt sliding window (w = 5)', b => slidingWindow(b, exponent, pSquared)],
    ['OpenSSL, new context per call', b => modPow(b, exponent, pSquared)],
    ['OpenSSL, reused context (chosen)', b => context.pow(b)]
  ]
  return candidates.map(([name, fn]) => {
    if (fn(base) !== expected) throw new Error(`${name} disagrees`)
    const ms = secondsPerOp(keyBits <= 2048 ? 20 : 10, () => fn(base)) * 1000
    return `  ${keyBits}-bit p², ${keyBits / 2}-bit p − 1: ${name.padEnd(34)} ${ms.toFixed(2).padStart(7)} ms`
  })
}

function randomOdd (bits: number): bigint {
  return littleEndianToBigint(randomExponentBytes(bits)) | (1n << BigInt(bits - 1)) | 1n
}

function benchCombShapes (keyBits: number): string[] {
  const pk = loadKey(keyBits).publicKey
  const t = randomnessBits(pk)
  const shapes: Array<[string, CombShape]> = [
    ['windowed table, w = 8', { teeth: 8, combs: t / 8 }],
    ['comb 12 × 8', { teeth: 12, combs: 8 }],
    ['comb 13 × 8 (default)', { teeth: 13, combs: 8 }],
    ['comb 14 × 8', { teeth: 14, combs: 8 }],
    ['comb 16 × 4', { teeth: 16, combs: 4 }]
  ]
  return shapes.map(([name, shape]) => {
    const started = performance.now()
    const comb = new FixedBaseComb(pk.hs, pk.nSquared, t, shape)
    const buildSeconds = (performance.now() - started) / 1000
    const products = comb.blockBits - 1 + comb.blockBits * shape.combs
    const ms = secondsPerOp(keyBits <= 2048 ? 200 : 100, () => comb.pow(randomExponentBytes(t))) * 1000
    return `  ${keyBits} bits ${name.padEnd(22)} ${String(products).padStart(4)} products  ${(comb.entries * ciphertextByteLength(pk) / 1e6).toFixed(0).padStart(4)} MB  build ${buildSeconds.toFixed(1).padStart(5)} s  ${ms.toFixed(3)} ms per h_s^r`
  })
}

/**
 * The fixed cost of a fresh pool: its threads load, one builds the comb into shared memory, and
 * every thread encrypts with that table (batches of one, two per thread in flight, so each thread
 * takes some). combBuilds shows that the threads shared one build.
 */
async function benchPoolStart (keyBits: number): Promise<string> {
  const pk = loadKey(keyBits).publicKey
  const cpuBefore = process.cpuUsage()
  const started = performance.now()
  const pool = new EncryptionPool(pk, { batchSize: 1 })
  try {
    await pool.encryptAll(Array.from({ length: pool.threads * 4 }, (_, i) => BigInt(i)))
    const seconds = (performance.now() - started) / 1000
    const cpu = process.cpuUsage(cpuBefore)
    return `  ${keyBits} bits: ${seconds.toFixed(2)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s CPU, combs built: ${pool.combBuilds}`
  } finally {
    await pool.destroy()
  }
}

const format = (x: number, digits = 0): string => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })

if (args.comb) {
  console.log('fixed-base comb shapes for h_s^r (one encryption\'s randomizer); products = squarings + multiplications:')
  for (const keyBits of keySizes) for (const line of benchCombShapes(keyBits)) console.log(line)
  console.log(`EncryptionPool on ${cores} threads, from construction to its first ciphertexts (CPU: every thread of this process):`)
  for (const keyBits of keySizes) console.log(await benchPoolStart(keyBits))
} else if (args.integrity) {
  await benchIntegrity()
} else if (args.decrypt) {
  await benchDecryption()
} else {
  await benchAll()
}

async function benchAll (): Promise<void> {
  const results: Row[] = []
  const notes: string[] = []
  for (const keyBits of keySizes) {
    const { rows, notes: keyNotes } = await benchKeySize(keyBits)
    results.push(...rows)
    notes.push(...keyNotes.map(text => `${keyBits}: ${text}`))
  }
  if (args.json) {
    console.log(JSON.stringify(results.map(r => ({
      ...r,
      valuesPerSecond: Math.round(r.valuesPerSecond),
      baselineValuesPerSecond: Number(r.baselineValuesPerSecond.toFixed(2)),
      ratio: Number(r.ratio.toFixed(1)),
      bytesPerValue: Number(r.bytesPerValue.toFixed(2)),
      msPerCiphertext: Number(r.msPerCiphertext.toPrecision(3))
    })), null, 2))
    return
  }
  const modpow = keySizes.flatMap(benchModPow)
  console.log(`fedagg Paillier engine vs paillier-bigint, same run — ${cores} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.versions.node}, OpenSSL ${process.versions.openssl}`)
  console.log('values: int:32, up to 16 participants, packed 37 bits per slot (fedagg); one value per ciphertext (paillier-bigint)\n')
  const header = ['key bits', 'op', 'cores', 'ms/ciphertext', 'fedagg values/s', 'paillier-bigint values/s', 'ratio', 'bytes/value']
  const lines = results.map(r => [String(r.keyBits), r.op, String(r.cores), r.msPerCiphertext.toPrecision(3), format(r.valuesPerSecond), format(r.baselineValuesPerSecond, 2), `${format(r.ratio)}x`, format(r.bytesPerValue, 2)])
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map(line => line[i]!.length)))
  for (const line of [header, ...lines]) console.log(line.map((cell, i) => i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)).join('  '))
  console.log('\n' + notes.join('\n'))
  console.log('\nmodular exponentiation candidates (decryption shape: one CRT half):\n' + modpow.join('\n'))
}

/** Median seconds per call of an async fn over `rounds` rounds of `count` sequential calls. */
async function secondsPerAsyncOp (count: number, fn: () => Promise<unknown>): Promise<number> {
  const samples: number[] = []
  for (let round = 0; round < rounds; round++) {
    const started = performance.now()
    for (let i = 0; i < count; i++) await fn()
    samples.push((performance.now() - started) / 1000 / count)
  }
  samples.sort((a, b) => a - b)
  return samples[Math.floor(samples.length / 2)]!
}

/**
 * What round integrity costs: the tag slot's share of each plaintext (int:32, 16 participants, so
 * 37-bit value slots and a 69-bit tag slot), one HMAC per ciphertext for its tag, and per
 * submission two Ed25519 signatures by the client (statement, tag key) and one verification each
 * by the aggregator and the coordinator.
 */
async function benchIntegrity (): Promise<void> {
  const rows = keySizes.map(keyBits => {
    const { plan } = packInt32(keyBits, [1])
    const withoutTag = Math.floor((keyBits - 2) / plan.slotBits)
    const bytes = ciphertextByteLength(loadKey(keyBits).publicKey)
    return { keyBits, valuesPerCiphertext: plan.slotsPerCiphertext, valuesPerCiphertextWithoutTag: withoutTag, bytesPerValue: bytes / plan.slotsPerCiphertext, bytesPerValueWithoutTag: bytes / withoutTag }
  })
  const tagKey = new Uint8Array(TAG_KEY_BYTES).fill(7)
  const tagSeconds = secondsPerOp(200, i => deriveTags(tagKey, 'bench', `r-${i}`, 1))
  const key = await generateKeyPair('Ed25519')
  const client = peerIdFromPrivateKey(key).toString()
  const round = { federationId: 'bench', roundId: 'r-1', keyFingerprint: 'ab'.repeat(32), announcementHash: new Uint8Array(32) }
  const digest = new Uint8Array(32).fill(1)
  const statement = submissionStatement(round, client, digest)
  const signed = await signSubmissionStatement(key, statement)
  const signSeconds = await secondsPerAsyncOp(200, async () => signSubmissionStatement(key, statement))
  const verifySeconds = await secondsPerAsyncOp(200, async () => verifySubmissionStatement(round, signed, client, digest))
  const costs = { tagMsPerCiphertext: tagSeconds * 1000, signMs: signSeconds * 1000, verifyMs: verifySeconds * 1000 }
  if (args.json) {
    console.log(JSON.stringify({ rows, ...costs }, null, 2))
    return
  }
  console.log('round integrity: int:32 values, up to 16 participants (37-bit value slots, 69-bit tag slot)')
  for (const r of rows) {
    console.log(`  ${r.keyBits} bits: ${r.valuesPerCiphertext} values/ciphertext with the tag slot, ${r.valuesPerCiphertextWithoutTag} without; ` +
      `${r.bytesPerValue.toFixed(2)} bytes/value on the wire, ${r.bytesPerValueWithoutTag.toFixed(2)} without (+${((r.bytesPerValue / r.bytesPerValueWithoutTag - 1) * 100).toFixed(1)} %)`)
  }
  console.log(`  tag derivation (HMAC-SHA-256): ${costs.tagMsPerCiphertext.toFixed(4)} ms per ciphertext`)
  console.log(`  submission statement, Ed25519: sign ${costs.signMs.toFixed(3)} ms, verify ${costs.verifyMs.toFixed(3)} ms ` +
    '(per submission: 2 signatures by the client, 1 verification by the aggregator, 1 by the coordinator, plus 1 for the tag key)')
}

interface DecryptionRow {
  keyBits: number
  ciphertexts: number
  threads: number
  /** On the event loop, as the coordinator did before the pool: median of --rounds. */
  inlineSeconds: number
  /** The pool's first decryptAll, its threads' start-up (module load, key checks) included. */
  poolFirstSeconds: number
  /** Later decryptAll calls on the same pool: median of --rounds. */
  poolSeconds: number
  /** inlineSeconds / poolSeconds. */
  speedup: number
  /** CPU seconds / wall seconds of the median pool run: the cores the pool got (below `threads` on a shared machine). */
  poolCoresUsed: number
  /** The event loop's longest stall while decrypting inline, and on the pool (warm). */
  inlineMaxStallMs: number
  poolMaxStallMs: number
}

interface StallTiming {
  seconds: number
  maxStallMs: number
  /** CPU seconds of every thread of this process over the run: / seconds, the cores it really got. */
  cpuSeconds: number
}

/** Seconds for fn, the CPU it used, and the longest the event loop was held up meanwhile (10 ms sampling). */
async function timedWithStall (fn: () => Promise<unknown>): Promise<StallTiming> {
  const histogram = monitorEventLoopDelay({ resolution: 10 })
  histogram.enable()
  // The monitor measures each delay from its previous sample: let it take one before fn blocks.
  await new Promise(resolve => setTimeout(resolve, 20))
  const started = performance.now()
  const cpuBefore = process.cpuUsage()
  await fn()
  const seconds = (performance.now() - started) / 1000
  const cpu = process.cpuUsage(cpuBefore)
  // One more turn, so a stall that ends with fn is sampled.
  await new Promise(resolve => setTimeout(resolve, 20))
  histogram.disable()
  return { seconds, maxStallMs: histogram.max / 1e6, cpuSeconds: (cpu.user + cpu.system) / 1e6 }
}

/** The median run of `rounds` timed runs, with the longest stall over all of them. */
async function medianWithStall (fn: () => Promise<unknown>): Promise<StallTiming> {
  const runs: StallTiming[] = []
  for (let round = 0; round < rounds; round++) runs.push(await timedWithStall(fn))
  const median = [...runs].sort((a, b) => a.seconds - b.seconds)[Math.floor(runs.length / 2)]!
  return { ...median, maxStallMs: Math.max(...runs.map(run => run.maxStallMs)) }
}

/**
 * The coordinator's decryption of one aggregate, inline against the pool, in the same run. The
 * ciphertexts are random units mod n²: CRT decryption costs the same for any of them (two
 * fixed-exponent powers), and they cost nothing to make. Both paths get the same bytes, as the
 * coordinator receives them, and must agree.
 */
async function benchDecryption (): Promise<void> {
  const count = Number(args.ciphertexts)
  const rows: DecryptionRow[] = []
  for (const keyBits of keySizes) {
    const key = loadKey(keyBits)
    const bytes = encodeCiphertexts(key.publicKey, Array.from({ length: count }, () => randomUnit(key.publicKey.nSquared)))
    note(`[${keyBits}] ${count.toLocaleString('en-US')} ciphertexts inline ×${rounds}…`)
    let expected: bigint[] = []
    const inline = await medianWithStall(async () => { expected = decodeCiphertexts(key.publicKey, bytes).map(c => decrypt(key, c)) })
    const pool = new DecryptionPool(key)
    try {
      note(`[${keyBits}] the same on a DecryptionPool of ${pool.threads} threads: first call, then ×${rounds}…`)
      const first = await timedWithStall(async () => pool.decryptAll(bytes))
      let plaintexts: bigint[] = []
      const warm = await medianWithStall(async () => { plaintexts = await pool.decryptAll(bytes) })
      if (plaintexts.some((m, i) => m !== expected[i])) throw new Error('the pool and inline decryption disagree')
      rows.push({
        keyBits,
        ciphertexts: count,
        threads: pool.threads,
        inlineSeconds: inline.seconds,
        poolFirstSeconds: first.seconds,
        poolSeconds: warm.seconds,
        speedup: inline.seconds / warm.seconds,
        poolCoresUsed: warm.cpuSeconds / warm.seconds,
        inlineMaxStallMs: inline.maxStallMs,
        poolMaxStallMs: warm.maxStallMs
      })
    } finally {
      await pool.destroy()
    }
  }
  if (args.json) {
    console.log(JSON.stringify(rows.map(row => ({
      ...row,
      inlineSeconds: Number(row.inlineSeconds.toFixed(3)),
      poolFirstSeconds: Number(row.poolFirstSeconds.toFixed(3)),
      poolSeconds: Number(row.poolSeconds.toFixed(3)),
      speedup: Number(row.speedup.toFixed(2)),
      poolCoresUsed: Number(row.poolCoresUsed.toFixed(2)),
      inlineMaxStallMs: Math.round(row.inlineMaxStallMs),
      poolMaxStallMs: Math.round(row.poolMaxStallMs)
    })), null, 2))
    return
  }
  console.log(`coordinator decryption of one aggregate, inline vs DecryptionPool, same run — ${cores} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.versions.node}`)
  for (const r of rows) {
    console.log(`  ${r.keyBits} bits, ${r.ciphertexts.toLocaleString('en-US')} ciphertexts: inline ${r.inlineSeconds.toFixed(2)} s (${(1000 * r.inlineSeconds / r.ciphertexts).toFixed(2)} ms each, event loop held up to ${r.inlineMaxStallMs.toFixed(0)} ms); ` +
      `pool of ${r.threads} ${r.poolSeconds.toFixed(2)} s (${r.speedup.toFixed(2)}x on the ${r.poolCoresUsed.toFixed(2)} cores it got, longest stall ${r.poolMaxStallMs.toFixed(0)} ms), first call ${r.poolFirstSeconds.toFixed(2)} s with thread start-up`)
  }
}
