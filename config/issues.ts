// Turns zod issues into ConfigIssues: field path, "expected X, got Y", and the layer the value came from.
import { keysAt } from './catalog.ts'
import { suggest } from './suggest.ts'
import type { ConfigIssue } from './errors.ts'
import type { SourceMap } from './layers.ts'
import type * as z from 'zod'

/**
 * The schema gives every check the phrase of what it expects as the issue
 * message (fields.ts), and parsing runs with reportInput so each issue
 * carries the offending value; unknown keys become one issue per key.
 */
export function configIssuesFromZod (issues: readonly z.core.$ZodIssue[], sources: SourceMap): ConfigIssue[] {
  return issues.flatMap((issue): ConfigIssue[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map(key => {
        const path = [...issue.path, key]
        const guess = suggest(key, keysAt(issue.path.map(String)))
        return { path: formatPath(path), problem: `unknown key${guess === undefined ? '' : `; did you mean ${guess}?`}`, source: sources.sourceOf(path) }
      })
    }
    return [{ path: formatPath(issue.path), problem: `expected ${issue.message}, got ${describeValue(issue.input)}`, source: sources.sourceOf(issue.path) }]
  })
}

/** ['listen', 1] -> 'listen[1]'; ['limits', 'yamux', 'maxMessageSize'] -> 'limits.yamux.maxMessageSize'. */
export function formatPath (path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)'
  return path.map((segment, i) => typeof segment === 'number' ? `[${segment}]` : `${i === 0 ? '' : '.'}${String(segment)}`).join('')
}

const MAX_SHOWN = 80

export function describeValue (value: unknown): string {
  if (value === undefined) return 'nothing'
  if (typeof value === 'string') return JSON.stringify(value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}…` : value)
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value)
  // bigint, symbol, function: only a library caller's flags can hold them, and JSON has no spelling for them.
  if (typeof value !== 'object') return `a ${typeof value}`
  const kind = Array.isArray(value) ? 'a list' : 'an object'
  const json = jsonPreview(value)
  if (json === undefined) return kind
  return `${kind} ${json.length > MAX_SHOWN ? `${json.slice(0, MAX_SHOWN)}…` : json}`
}

// JSON.stringify throws on values nested too deep for the stack (RangeError), on bigints inside
// (TypeError) and on cycles; the value is then described by its kind alone.
function jsonPreview (value: object): string | undefined {
  try {
    return JSON.stringify(value)
  } catch {
    return undefined
  }
}
