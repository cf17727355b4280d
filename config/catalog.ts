// The list of config fields (leaves of the schema) with their value kind, environment variable and flag name.
import { configSchema } from './schema.ts'
import type * as z from 'zod'

/** How a text value (environment variable or untyped flag) is turned into the field's type. */
export type FieldKind = 'string' | 'number' | 'boolean' | 'list'

export interface ConfigField {
  /** Path segments, e.g. ['limits', 'maxConnections']. */
  path: readonly string[]
  /** Dotted path, also the flag name: `limits.maxConnections` -> `--limits.maxConnections`. */
  name: string
  /** FEDAGG_ + path in UPPER_SNAKE: `FEDAGG_LIMITS_MAX_CONNECTIONS`. */
  env: string
  kind: FieldKind
}

export const ENV_PREFIX = 'FEDAGG_'

/** camelCase segment -> UPPER_SNAKE, e.g. maxInboundStreams -> MAX_INBOUND_STREAMS. */
export function envName (path: readonly string[]): string {
  return ENV_PREFIX + path.map(segment => segment.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()).join('_')
}

/** Every settable field, derived from the schema so a new field is settable from env and flags without more code. */
export const CONFIG_FIELDS: readonly ConfigField[] = collect(configSchema, [])

const BY_NAME = new Map(CONFIG_FIELDS.map(field => [field.name, field]))
const BY_ENV = new Map(CONFIG_FIELDS.map(field => [field.env, field]))

export function fieldByName (name: string): ConfigField | undefined {
  return BY_NAME.get(name)
}

export function fieldByEnv (env: string): ConfigField | undefined {
  return BY_ENV.get(env)
}

/** The keys an object at `path` accepts (for "did you mean" hints on unknown keys). */
export function keysAt (path: readonly string[]): string[] {
  const prefix = path.join('.')
  const keys = new Set<string>()
  for (const field of CONFIG_FIELDS) {
    if (path.length === 0 || field.name.startsWith(`${prefix}.`)) {
      const key = field.path[path.length]
      if (key !== undefined) keys.add(key)
    }
  }
  return [...keys]
}

function collect (schema: z.ZodType, path: string[]): ConfigField[] {
  const def = unwrap(schema)._zod.def
  if (def.type === 'object') {
    const shape = (def as unknown as { shape: Record<string, z.ZodType> }).shape
    return Object.entries(shape).flatMap(([key, child]) => collect(child, [...path, key]))
  }
  return [{ path, name: path.join('.'), env: envName(path), kind: kindOf(def) }]
}

function unwrap (schema: z.ZodType): z.ZodType {
  const def = schema._zod.def as { type: string, innerType?: z.ZodType }
  return def.type === 'optional' && def.innerType !== undefined ? unwrap(def.innerType) : schema
}

function kindOf (def: z.ZodType['_zod']['def']): FieldKind {
  switch (def.type) {
    case 'array': return 'list'
    case 'number': return 'number'
    case 'boolean': return 'boolean'
    case 'union': {
      const options = (def as unknown as { options: z.ZodType[] }).options
      const numeric = options.every(option => {
        const values = (option._zod.def as { values?: unknown[] }).values
        return values?.every(value => typeof value === 'number') === true
      })
      return numeric ? 'number' : 'string'
    }
    default: return 'string'
  }
}
