// The config layers (defaults < file < environment < flags) and their merge, remembering which layer set each field.
import { CONFIG_FIELDS, ENV_PREFIX, fieldByEnv, fieldByName } from './catalog.ts'
import { suggest } from './suggest.ts'
import type { ConfigField, FieldKind } from './catalog.ts'
import type { ConfigIssue } from './errors.ts'

/** One value a layer sets, at a field's path, with the label errors will cite as its source. */
export interface LayerEntry {
  path: readonly string[]
  value: unknown
  source: string
}

export interface LayerResult {
  entries: LayerEntry[]
  /** Names the layer could not map to a field (unknown variables or flags). */
  issues: ConfigIssue[]
}

/** Sources by dotted path; a path not found falls back to its nearest recorded ancestor, then `default`. */
export class SourceMap {
  readonly #sources = new Map<string, string>()

  set (path: readonly (string | number)[], source: string): void {
    this.#sources.set(path.join('.'), source)
  }

  sourceOf (path: readonly PropertyKey[]): string {
    for (let length = path.length; length > 0; length--) {
      const source = this.#sources.get(path.slice(0, length).map(String).join('.'))
      if (source !== undefined) return source
    }
    return 'default'
  }
}

/**
 * FEDAGG_* variables -> entries. Unknown FEDAGG_* names are issues (a typo
 * must not be ignored), except names the caller says are used elsewhere
 * (e.g. FEDAGG_CONFIG, the path of the config file). An empty value means
 * "unset", except for lists, where it means the empty list.
 */
export function environmentLayer (env: NodeJS.ProcessEnv, otherVariables: ReadonlySet<string>): LayerResult {
  const result: LayerResult = { entries: [], issues: [] }
  for (const [name, text] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || otherVariables.has(name) || text === undefined) continue
    const field = fieldByEnv(name)
    if (field === undefined) {
      result.issues.push({ path: name, problem: `unknown environment variable${hint(name, CONFIG_FIELDS.map(f => f.env))}`, source: 'environment' })
      continue
    }
    if (text === '' && field.kind !== 'list') continue
    result.entries.push({ path: field.path, value: fromText(field.kind, text), source: name })
  }
  return result
}

/**
 * Segments in the longest field path (`limits.yamux.maxMessageSize`). Flag objects are walked no
 * deeper: below that nothing can name a field, and walking a value nested thousands of levels
 * deep would overflow the stack.
 */
const MAX_FIELD_DEPTH = Math.max(...CONFIG_FIELDS.map(field => field.path.length))

/**
 * CLI flags -> entries. Keys are field names, dotted (`limits.maxConnections`)
 * or nested objects, camelCase or kebab-case; yargs' `_` and `$0` and
 * undefined values (options not given) are skipped. String values are
 * converted like environment text, since a flag is text until proven typed.
 */
export function flagsLayer (flags: Record<string, unknown>): LayerResult {
  const result: LayerResult = { entries: [], issues: [] }
  const walk = (object: Record<string, unknown>, prefix: string[]): void => {
    for (const [key, value] of Object.entries(object)) {
      if (value === undefined || (prefix.length === 0 && (key === '_' || key === '$0'))) continue
      const path = [...prefix, ...key.split('.').map(kebabToCamel)]
      if (isPlainObject(value) && path.length < MAX_FIELD_DEPTH) {
        walk(value, path)
        continue
      }
      const field = fieldByName(path.join('.'))
      if (field === undefined) {
        result.issues.push({ path: path.join('.'), problem: `unknown flag${hint(path.join('.'), CONFIG_FIELDS.map(f => f.name))}`, source: `flag --${path.join('.')}` })
        continue
      }
      result.entries.push({ path: field.path, value: typeof value === 'string' ? fromText(field.kind, value) : value, source: flagSource(field) })
    }
  }
  walk(flags, [])
  return result
}

/**
 * Deep-merges a parsed config file into `target`: objects merge key by
 * key, anything else (scalars, lists, a wrong type) replaces. Keys are
 * defined as own properties, so a `__proto__` key in the file becomes an
 * unknown key the schema reports rather than a prototype change.
 */
export function mergeFile (target: Record<string, unknown>, file: Record<string, unknown>, source: string, sources: SourceMap, prefix: string[] = []): void {
  for (const [key, value] of Object.entries(file)) {
    const current = Object.hasOwn(target, key) ? target[key] : undefined
    if (isPlainObject(value) && isPlainObject(current)) {
      mergeFile(current, value, source, sources, [...prefix, key])
    } else {
      defineOwn(target, key, value)
      sources.set([...prefix, key], source)
    }
  }
}

/** Applies a layer's entries over `target`, each at its field's path. */
export function applyEntries (target: Record<string, unknown>, entries: readonly LayerEntry[], sources: SourceMap): void {
  for (const { path, value, source } of entries) {
    let object = target
    for (const segment of path.slice(0, -1)) {
      const next = Object.hasOwn(object, segment) ? object[segment] : undefined
      if (!isPlainObject(next)) {
        // A lower layer replaced this object with a non-object; the field wins, the schema judges the rest.
        const fresh: Record<string, unknown> = {}
        defineOwn(object, segment, fresh)
        object = fresh
      } else {
        object = next
      }
    }
    defineOwn(object, path[path.length - 1] as string, value)
    sources.set(path, source)
  }
}

export function flagSource (field: ConfigField): string {
  return `flag --${field.name}`
}

/**
 * Text -> the field's type. Text that does not look like the type is left
 * as text, so the schema reports it verbatim: `expected a positive
 * integer, got "abc"`.
 */
export function fromText (kind: FieldKind, text: string): unknown {
  const trimmed = text.trim()
  switch (kind) {
    case 'number':
      // (\d+(\.\d*)?|\.\d+), not \d+\.?\d*: with the '.' optional, \d+ and \d* could split a digit run
      // n ways, and a long run with a bad tail backtracked quadratically (50,000 digits: 7 s).
      return /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(trimmed) ? Number(trimmed) : text
    case 'boolean': {
      const lower = trimmed.toLowerCase()
      if (['true', '1', 'yes', 'on'].includes(lower)) return true
      if (['false', '0', 'no', 'off'].includes(lower)) return false
      return text
    }
    case 'list':
      return text.split(',').map(item => item.trim()).filter(item => item.length > 0)
    case 'string':
      return text
  }
}

export function isPlainObject (value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

function defineOwn (object: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true })
}

function kebabToCamel (key: string): string {
  return key.replace(/-([a-z0-9])/g, (_, ch: string) => ch.toUpperCase())
}

function hint (unknown: string, known: readonly string[]): string {
  const guess = suggest(unknown, known)
  return guess === undefined ? '' : `; did you mean ${guess}?`
}
