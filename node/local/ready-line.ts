// Waits for a daemon child's one-line `{"event":"ready",...}` on stdout, or its early exit, or a deadline.
import { createInterface } from 'node:readline'
import { FedaggError } from '../../protocol/errors.ts'
import type { ReadyEvent } from '../daemon.ts'
import type { FedaggChild } from './child-processes.ts'

export class DaemonStartFailedError extends FedaggError {
  static override name = 'DaemonStartFailedError'
}

export async function waitForReady (child: FedaggChild, options: { timeoutMs: number, signal?: AbortSignal, logHint?: string }): Promise<ReadyEvent> {
  const stdout = child.process.stdout
  if (stdout === null) throw new DaemonStartFailedError(`${child.name}: stdout is not piped`)
  const lines = createInterface({ input: stdout })
  const timeout = AbortSignal.timeout(options.timeoutMs)
  const signal = options.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout])
  const hint = options.logHint === undefined ? '' : ` (log: ${options.logHint})`
  try {
    return await new Promise<ReadyEvent>((resolve, reject) => {
      lines.on('line', line => {
        const event = parseReady(line)
        if (event !== undefined) resolve(event)
      })
      void child.exited.then(({ code, signal: killedBy }) => {
        reject(new DaemonStartFailedError(`${child.name} exited with ${code ?? killedBy} before it was ready${hint}`))
      })
      signal.addEventListener('abort', () => {
        reject(timeout.aborted
          ? new DaemonStartFailedError(`${child.name} not ready after ${options.timeoutMs} ms${hint}`)
          : signal.reason)
      }, { once: true })
    })
  } finally {
    lines.close()
  }
}

function parseReady (line: string): ReadyEvent | undefined {
  try {
    const value = JSON.parse(line) as Partial<ReadyEvent>
    if (value.event === 'ready' && typeof value.peerId === 'string' && Array.isArray(value.multiaddrs) && typeof value.control === 'string') {
      return value as ReadyEvent
    }
  } catch {}
  return undefined
}
