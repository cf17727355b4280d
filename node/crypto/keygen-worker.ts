// Worker-thread body of generateKeyPair: draws DJN primes and derives h_s off the main thread, posting each step.
import { parentPort, workerData } from 'node:worker_threads'
import { derivedPublicComponent, KEY_GENERATION_STEP, KEY_GENERATION_STEPS, randomDjnPrimes } from '../../protocol/paillier/index.ts'
import type { KeyGenerationPhase } from '../../protocol/paillier/index.ts'

/** Messages this worker posts to generateKeyPair. Numbers travel as hex. */
export type KeyGenerationMessage =
  | { type: 'progress', phase: KeyGenerationPhase, done: number, total: number }
  | { type: 'result', p: string, q: string, hs: string }

const port = parentPort
if (port === null) throw new Error('keygen-worker.ts must run as a worker thread')
const bits = (workerData as { bits: number }).bits
const post = (message: KeyGenerationMessage): void => { port.postMessage(message) }
// done is the phase's step number, not a count of events: p may be drawn (and reported) more than once.
const progress = (phase: KeyGenerationPhase): void => {
  post({ type: 'progress', phase, done: KEY_GENERATION_STEP[phase], total: KEY_GENERATION_STEPS })
}

// The search is synchronous, and generateKeyPair terminates this worker mid-search on abort. It runs
// from the event loop, not while this module evaluates: terminating a worker inside the evaluation
// of a module graph with top-level await (bigint-crypto-utils has some) fails a V8 check and aborts
// the whole process (seen on Node 24.21; Deno hit the same V8 bug, denoland/deno#12930).
setImmediate(() => {
  const { p, q } = randomDjnPrimes(bits, progress)
  const hs = derivedPublicComponent(p * q)
  progress('hs')
  post({ type: 'result', p: p.toString(16), q: q.toString(16), hs: hs.toString(16) })
})
