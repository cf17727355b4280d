// Runs the system python3 on a script with a JSON request on stdin and parses its JSON answer.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/** clients/python/examples, where the example trainers live. */
export const PYTHON_EXAMPLES = fileURLToPath(new URL('../../clients/python/examples/', import.meta.url))

export async function runPythonJson<T> (script: string, args: string[], request: unknown): Promise<T> {
  const child = spawn('python3', [script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
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
  if (code !== 0) throw new Error(`python3 ${script} ${args.join(' ')} exited with ${code}: ${stderr.trim().split('\n').at(-1) ?? ''}`)
  return JSON.parse(stdout) as T
}
