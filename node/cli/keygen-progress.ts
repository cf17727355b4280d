// A cli-progress bar on stderr for Paillier key generation (the CLI shows it only on a terminal, never with --json).
import { SingleBar } from 'cli-progress'
import type { Writable } from 'node:stream'
import type { KeyGenerationProgress } from '../crypto/keygen.ts'

export interface KeygenProgress {
  onProgress (event: KeyGenerationProgress): void
  /** Clears the bar; safe to call more than once. */
  stop (): void
}

/** What runs next after each finished step (events name the step just done). */
const NEXT_STEP: Record<KeyGenerationProgress['phase'], string> = {
  'prime-p': 'searching prime q',
  'prime-q': 'deriving h_s',
  hs: 'done'
}

/**
 * The bar starts at once, at "searching prime p": the first event only
 * arrives when p is found, which is most of the wait.
 */
export function keygenProgress (options: { stream: Writable, keyBits: number, steps?: number }): KeygenProgress {
  const bar = new SingleBar({
    format: `Paillier ${options.keyBits}-bit key [{bar}] {value}/{total} {step} ({duration_formatted})`,
    stream: options.stream as NodeJS.WritableStream,
    hideCursor: true,
    clearOnComplete: true
  })
  bar.start(options.steps ?? 3, 0, { step: 'searching prime p' })
  let stopped = false
  return {
    onProgress: ({ phase, done, total }) => {
      bar.setTotal(total)
      bar.update(done, { step: NEXT_STEP[phase] })
    },
    stop: () => {
      if (stopped) return
      stopped = true
      bar.stop()
    }
  }
}
