// Seed inputs for the config fuzz tests: config texts that load, from the shipped examples and the defaults.
import { readFileSync, readdirSync } from 'node:fs'
import { DEFAULT_CONFIG } from '../../config/index.ts'

const EXAMPLES = new URL('../../config/examples/', import.meta.url)

/** Config texts that parse: the shipped examples and the defaults, compact and pretty-printed. */
export const VALID_CONFIG_TEXTS: readonly string[] = [
  ...readdirSync(EXAMPLES).filter(name => name.endsWith('.json')).map(name => readFileSync(new URL(name, EXAMPLES), 'utf8')),
  JSON.stringify(DEFAULT_CONFIG),
  JSON.stringify(DEFAULT_CONFIG, null, 2)
]
