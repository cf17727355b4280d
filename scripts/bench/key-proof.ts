// Benchmarks the key checks every party runs once per key: deriving h_s from n, and proving and verifying Π^mod (the Paillier–Blum modulus proof).
//
// Usage: npm run bench:key-proof [-- --json] [--bits 2048,3072] [--rounds 3]
//   --json   print only an array of rows { keyBits, op, milliseconds, baselineMilliseconds, ratio }
//
// Runs on the committed test keys (test/fixtures/paillier-<bits>.json). Each figure is the median of
// --rounds runs; derivation bypasses the per-modulus cache (it calls publicComponentFromUnit), and
// each proof builds its OpenSSL contexts afresh, as the first proof or verification of a key does.
// The baseline is one CRT decryption under the same key, so the ratio reads "costs as much as this
// many decryptions".
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import {
  BLUM_PROOF_CHALLENGES, decrypt, encryptOneOff, hsDerivationUnit, privateKeyFromJSON, proveBlumModulus, publicComponentFromUnit, verifyBlumModulusProof
} from '../../protocol/paillier/index.ts'

type Op = 'derive-hs' | 'prove' | 'verify'

interface Row {
  keyBits: number
  op: Op
  milliseconds: number
  baselineMilliseconds: number
  ratio: number
}

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    bits: { type: 'string', default: '2048,3072' },
    rounds: { type: 'string', default: '3' }
  }
})
const rounds = Number(args.rounds)
const FEDERATION = 'bench'

/** Median milliseconds of `rounds` calls of fn. */
function median (fn: () => unknown): number {
  const samples: number[] = []
  for (let i = 0; i < rounds; i++) {
    const started = performance.now()
    fn()
    samples.push(performance.now() - started)
  }
  return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)]!
}

const rows: Row[] = []
for (const keyBits of args.bits.split(',').map(Number)) {
  const key = privateKeyFromJSON(JSON.parse(readFileSync(new URL(`../../test/fixtures/paillier-${keyBits}.json`, import.meta.url), 'utf8')))
  const { n } = key.publicKey
  const c = encryptOneOff(key.publicKey, 12345n)
  decrypt(key, c)
  const baseline = median(() => decrypt(key, c))
  const proof = proveBlumModulus(FEDERATION, key.p, key.q)
  const ops: Array<[Op, () => unknown]> = [
    ['derive-hs', () => publicComponentFromUnit(n, hsDerivationUnit(n))],
    ['prove', () => proveBlumModulus(FEDERATION, key.p, key.q)],
    ['verify', () => { verifyBlumModulusProof(FEDERATION, n, proof) }]
  ]
  for (const [op, fn] of ops) {
    const milliseconds = median(fn)
    rows.push({ keyBits, op, milliseconds, baselineMilliseconds: baseline, ratio: milliseconds / baseline })
  }
}

if (args.json) {
  console.log(JSON.stringify(rows))
} else {
  console.log(`Π^mod with ${BLUM_PROOF_CHALLENGES} challenges; baseline: one CRT decryption; median of ${rounds}`)
  console.log('bits  op         ms       decrypt ms  ratio')
  for (const row of rows) {
    console.log(`${row.keyBits}  ${row.op.padEnd(9)}  ${row.milliseconds.toFixed(1).padStart(7)}  ${row.baselineMilliseconds.toFixed(2).padStart(10)}  ${row.ratio.toFixed(0).padStart(5)}`)
  }
}
