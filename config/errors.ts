// The one error configuration loading throws: every problem found, each naming its field, expectation, value and source.
import { FedaggError } from '../protocol/errors.ts'

export interface ConfigIssue {
  /** Dotted field path, e.g. `limits.maxConnections` or `listen[1]`; the file name for a file-level problem. */
  path: string
  /** What was expected and what was got, e.g. `expected a positive integer, got "abc"`. */
  problem: string
  /**
   * Where the value came from: `FEDAGG_LIMITS_MAX_CONNECTIONS`, `file /etc/fedagg.json`,
   * `flag --control.port`, `default`; absent when the path already names it (a file that cannot be read).
   */
  source?: string
}

/**
 * Thrown by loadConfig/writeConfigFile. The message has one line per issue,
 * `config: <path>: <problem> (from <source>)`, listing all issues at once so
 * an operator fixes a config in one pass rather than one error per start.
 */
export class ConfigError extends FedaggError {
  static override name = 'ConfigError'
  readonly issues: readonly ConfigIssue[]

  constructor (issues: readonly ConfigIssue[], options?: ErrorOptions) {
    super(issues.map(formatIssue).join('\n'), options)
    this.issues = issues
  }
}

export function formatIssue (issue: ConfigIssue): string {
  const line = `config: ${issue.path}: ${issue.problem}`
  if (issue.source === undefined) return line
  return `${line} (${issue.source === 'default' ? 'default' : `from ${issue.source}`})`
}
