// loadConfig: builds the node's config from defaults < file < environment < flags and validates it once, reporting every problem.
import { resolve } from 'node:path'
import { DEFAULT_CONFIG } from './defaults.ts'
import { ConfigError } from './errors.ts'
import { readConfigFile, writeJsonFileAtomic } from './file.ts'
import { configIssuesFromZod } from './issues.ts'
import { SourceMap, applyEntries, environmentLayer, flagsLayer, mergeFile } from './layers.ts'
import { configSchema } from './schema.ts'
import type { ConfigIssue } from './errors.ts'
import type { FedaggConfig, FedaggConfigFile } from './schema.ts'

/** FEDAGG_* variables that are not config fields; the CLI reads FEDAGG_CONFIG as the config file path. */
export const NON_CONFIG_ENV_VARS: readonly string[] = ['FEDAGG_CONFIG']

export interface LoadConfigOptions {
  /** Path of a JSON config file; relative paths resolve against the working directory. */
  file?: string
  /** Environment to read FEDAGG_* from. @default process.env */
  env?: NodeJS.ProcessEnv
  /** Overrides from the CLI: field names dotted or nested, camelCase or kebab-case. */
  flags?: Record<string, unknown>
  /** More FEDAGG_* names to leave alone (used by something other than the config). @default NON_CONFIG_ENV_VARS */
  otherEnvVars?: readonly string[]
}

/**
 * Layers, lowest first: DEFAULT_CONFIG, the file, FEDAGG_* variables, flags.
 * Objects merge field by field; a list or scalar from a higher layer
 * replaces the lower one. The merged result is validated once, and a
 * ConfigError lists every problem with its field path and the layer that
 * supplied the bad value. `dataDir` comes back absolute (resolved against
 * the working directory), so a later chdir cannot move the node's state.
 */
export async function loadConfig (options: LoadConfigOptions = {}): Promise<FedaggConfig> {
  const sources = new SourceMap()
  const merged = structuredClone(DEFAULT_CONFIG) as unknown as Record<string, unknown>
  if (options.file !== undefined) {
    const file = resolve(options.file)
    mergeFile(merged, await readConfigFile(file), `file ${file}`, sources)
  }
  const env = environmentLayer(options.env ?? process.env, new Set(options.otherEnvVars ?? NON_CONFIG_ENV_VARS))
  applyEntries(merged, env.entries, sources)
  const flags = flagsLayer(options.flags ?? {})
  applyEntries(merged, flags.entries, sources)
  return validate(merged, sources, [...env.issues, ...flags.issues])
}

/**
 * Writes a config file holding `content` (any subset of the fields), after
 * checking that it loads: defaults + content must validate, so `fedagg
 * init` can never write a file the daemon then refuses.
 */
export async function writeConfigFile (path: string, content: FedaggConfigFile): Promise<void> {
  const sources = new SourceMap()
  const merged = structuredClone(DEFAULT_CONFIG) as unknown as Record<string, unknown>
  mergeFile(merged, structuredClone(content) as Record<string, unknown>, `content for ${resolve(path)}`, sources)
  validate(merged, sources, [])
  await writeJsonFileAtomic(path, content)
}

function validate (merged: Record<string, unknown>, sources: SourceMap, layerIssues: ConfigIssue[]): FedaggConfig {
  const parsed = configSchema.safeParse(merged, { reportInput: true })
  const issues = [...layerIssues, ...(parsed.success ? [] : configIssuesFromZod(parsed.error.issues, sources))]
  if (issues.length > 0 || !parsed.success) throw new ConfigError(issues)
  return { ...parsed.data, dataDir: resolve(parsed.data.dataDir) }
}
