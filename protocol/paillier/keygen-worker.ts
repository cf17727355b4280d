// Worker-thread body of generateKeyPair: draws DJN primes and h_s off the main thread, posting each step.
import { parentPort, workerData } from 'node:worker_threads'
import { KEY_GENERATION_STEPS, randomDjnPrimes, randomPublicComponent } from './key-material.ts'
import type { KeyGenerationPhase } from './key-material.ts'

/** Messages this worker posts to generateKeyPair. Numbers travel as hex. */
export type KeyGenerationMessage =
  | { type: 'progress', phase: KeyGenerationPhase, done: number, total: number }
  | { type: 'result', p: string, q: string, hs: string }

const port = parentPort
if (port === null) throw new Error('keygen-worker.ts must run as a worker thread')
const bits = (workerData as { bits: number }).bits
const post = (message: KeyGenerationMessage): void => { port.postMessage(message) }

let done = 0
const { p, q } = await randomDjnPrimes(bits, phase => {
  post({ type: 'progress', phase, done: ++done, total: KEY_GENERATION_STEPS })
})
const hs = randomPublicComponent(p * q)
post({ type: 'progress', phase: 'hs', done: ++done, total: KEY_GENERATION_STEPS })
post({ type: 'result', p: p.toString(16), q: q.toString(16), hs: hs.toString(16) })
