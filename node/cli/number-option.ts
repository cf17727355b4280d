// Numeric command-line options parsed from their text, so a typo is reported as typed, not as NaN or null.
import { UsageError } from './errors.ts'

/** Plain decimal notation, optionally signed and with an exponent: no hex, binary, octal or Infinity. */
export const DECIMAL_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/

/** A yargs `coerce` for `--name`: the option's text as a finite decimal number, else a UsageError. */
export function numberOption (name: string, expected: string): (text: unknown) => number {
  return text => {
    const raw = Array.isArray(text) ? text.at(-1) : text
    const value = typeof raw === 'string' && DECIMAL_NUMBER.test(raw.trim()) ? Number(raw) : Number.NaN
    if (!Number.isFinite(value)) throw new UsageError(`--${name}: expected ${expected}, got ${JSON.stringify(raw)}`)
    return value
  }
}
