// Finds a Python 3 with numpy for tests that run the Python client or trainer, and runs scripts with a JSON request.
import { spawn, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const CANDIDATES = ['python3', '/usr/bin/python3']

/** clients/python/examples, where the example trainers live. */
export const PYTHON_EXAMPLES = fileURLToPath(new URL('../../clients/python/examples/', import.meta.url))

/** The first interpreter that imports numpy, or undefined (tests then skip, saying why). */
export function pythonWithNumpy (): string | undefined {
  return CANDIDATES.find(python => spawnSync(python, ['-c', 'import numpy'], { stdio: 'ignore', timeout: 30_000 }).status === 0)
}

export const NO_PYTHON_MESSAGE = 'no python3 with numpy (run `npm run setup:test`, which installs python3-numpy)'

/** Runs `python script args…` with `request` as JSON on stdin and parses its JSON stdout. */
export async function runPythonJson<T> (python: string, script: string, args: string[], request: unknown): Promise<T> {
  const child = spawn(python, [script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString('utf8') })
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8') })
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', code => { resolve(code) })
  })
  child.stdin.end(JSON.stringify(request))
  const code = await exited
  if (code !== 0) throw new Error(`${python} ${script} ${args.join(' ')} exited with ${code}: ${stderr.trim().split('\n').at(-1) ?? ''}`)
  return JSON.parse(stdout) as T
}
