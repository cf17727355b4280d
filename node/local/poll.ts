// Polls a condition until it holds, a deadline passes or a signal aborts; for waiting on other processes' state.
import { setTimeout as sleep } from 'node:timers/promises'
import { FedaggError } from '../../protocol/errors.ts'

/** Between checks: short against loopback latency, long against hammering the daemons' control APIs. */
const POLL_INTERVAL_MS = 100

export class PollTimeoutError extends FedaggError {
  static override name = 'PollTimeoutError'
}

export async function pollUntil (check: () => Promise<boolean>, options: { timeoutMs: number, signal?: AbortSignal, what: string }): Promise<void> {
  const deadline = Date.now() + options.timeoutMs
  let lastError: unknown
  for (;;) {
    options.signal?.throwIfAborted()
    try {
      if (await check()) return
    } catch (err) {
      lastError = err
    }
    if (Date.now() >= deadline) {
      const reason = lastError instanceof Error ? ` (last error ${lastError.name}: ${lastError.message})` : ''
      throw new PollTimeoutError(`waited ${options.timeoutMs} ms for ${options.what}${reason}`)
    }
    try {
      await sleep(POLL_INTERVAL_MS, undefined, { signal: options.signal })
    } catch (err) {
      // timers/promises rejects with a generic AbortError; callers expect the signal's own reason.
      options.signal?.throwIfAborted()
      throw err
    }
  }
}
