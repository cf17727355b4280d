// How the daemon's log lines look: JSON lines for machines, or one readable line per event on a terminal.
import { writeSync } from 'node:fs'

/** pino's numeric levels, as printed on a terminal. */
const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' }

/** Fields every pino line carries that a terminal reader does not need repeated. */
const HIDDEN = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg', 'event'])

/**
 * One pino JSON line as `12:34:56 INFO  round.opened  message  roundId=… peerId=…`.
 * A line that is not JSON is passed through unchanged.
 */
export function formatLogLine (line: string): string {
  let record: Record<string, unknown>
  try {
    record = JSON.parse(line) as Record<string, unknown>
  } catch {
    return line
  }
  const time = typeof record.time === 'number' ? new Date(record.time).toISOString().slice(11, 19) : ''
  const level = (LEVEL_NAMES[record.level as number] ?? String(record.level)).padEnd(5)
  const event = typeof record.event === 'string' ? ` ${record.event}` : ''
  const fields = Object.entries(record)
    .filter(([key]) => !HIDDEN.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
  return `${time} ${level}${event}  ${String(record.msg ?? '')}${fields.length === 0 ? '' : `  ${fields.join(' ')}`}\n`
}

/**
 * A synchronous pino destination on `fd` that prints readable lines (for a
 * terminal). Synchronous like the JSON destination, so nothing is lost when
 * the process exits right after a shutdown.
 */
export function readableDestination (fd: number): { write: (chunk: string) => boolean } {
  return {
    write: chunk => {
      for (const line of chunk.split('\n')) if (line !== '') writeSync(fd, formatLogLine(line))
      return true
    }
  }
}
