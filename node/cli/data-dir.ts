// Where the operator's relative paths point, and the check that a data directory holds a node before a command uses it.
import { stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { IDENTITY_FILE } from '../identity.ts'
import { NotInitializedError } from './errors.ts'

/**
 * The directory the operator typed the command in. `npm run fedagg -- …`
 * runs the CLI from the package root, and npm records the operator's
 * directory in INIT_CWD; only our own `fedagg` script trusts it, since any
 * other npm script (a test run) passes INIT_CWD down to processes it spawns.
 */
export function operatorCwd (env: NodeJS.ProcessEnv): string {
  return env.npm_lifecycle_event === 'fedagg' && env.INIT_CWD !== undefined && env.INIT_CWD !== '' ? env.INIT_CWD : process.cwd()
}

/** An operator-typed path, absolute. */
export function operatorPath (path: string, env: NodeJS.ProcessEnv): string {
  return resolve(operatorCwd(env), path)
}

/**
 * Every command but `init` works on an existing node: a mistyped --data-dir
 * must not quietly become a new identity, federation and store.
 */
export async function requireNodeDataDir (dataDir: string): Promise<void> {
  const isDirectory = await stat(dataDir).then(info => info.isDirectory(), () => false)
  const problem = !isDirectory
    ? 'the directory does not exist'
    : await stat(join(dataDir, IDENTITY_FILE)).then(() => undefined, () => `it holds no ${IDENTITY_FILE}`)
  if (problem === undefined) return
  throw new NotInitializedError(`no fedagg node in ${dataDir}: ${problem}; check --data-dir (or FEDAGG_DATA_DIR), or create a node with \`fedagg init --data-dir ${shellWord(dataDir)}\``)
}

/** `word` as one POSIX shell word, so a printed command can be pasted as is. */
export function shellWord (word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`
}
