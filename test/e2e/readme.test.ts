// Issue 8, Why 5: the README's quick start works exactly as written. This test takes the command lines out of
// README.md itself, so they cannot drift: the install lines, then the one-machine federation from init to result.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, readFile, readdir, readlink, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const MARKER = '<!-- readme-test:one-machine -->'

interface Run { code: number | null, stdout: string, stderr: string }

/** Script process groups started by runScript; after() stops what is left of them. */
const groups = new Set<number>()

/** PIDs whose working directory lies under `dir`: the README's daemons name their data dirs relatively. */
async function processesIn (dir: string): Promise<number[]> {
  const pids: number[] = []
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry)
    if (!Number.isInteger(pid) || pid === process.pid) continue
    const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => '')
    if (cwd === dir || cwd.startsWith(`${dir}/`)) pids.push(pid)
  }
  return pids
}

function signalGroup (pgid: number, signal: NodeJS.Signals): void {
  try { process.kill(-pgid, signal) } catch {}
}

/** The body of the first ```sh block after `from` in `text`. */
export function shBlockAfter (text: string, from: number): string {
  const open = text.indexOf('```sh\n', from)
  assert.ok(open >= 0, 'no ```sh block')
  const close = text.indexOf('\n```', open + 6)
  return text.slice(open + 6, close)
}

/** Sub-command words and --option names of each `fedagg` line. */
function fedaggUsages (block: string): Array<{ command: string, options: string[] }> {
  return block.split('\n').filter(line => line.startsWith('fedagg ')).map(line => {
    const words = line.split(/\s+/)
    const first = words.slice(1).findIndex(word => !/^[a-z]+$/.test(word))
    const command = words.slice(1, first < 0 ? undefined : first + 1).join(' ')
    const options = words.filter(word => word.startsWith('--')).map(word => word.split('=')[0] as string)
    return { command, options }
  })
}

/** Runs `script` with bash in its own process group; whatever it leaves running is stopped by the caller. */
function runScript (script: string, cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Run> {
  const child = spawn('bash', ['-e', '-c', script], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  groups.add(child.pid as number)
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const timer = setTimeout(() => { signalGroup(child.pid as number, 'SIGTERM') }, timeoutMs)
  return new Promise(resolve => child.once('close', code => {
    clearTimeout(timer)
    resolve({ code, stdout, stderr })
  }))
}

describe('e2e: the README quick start', function () {
  this.timeout(900_000)
  let tmp: string

  before(async () => { tmp = await mkdtemp(join(tmpdir(), 'fedagg-readme-')) })
  after(async () => {
    // Daemons the script left running (it failed before `kill $(jobs -p)`) are in its process group.
    for (const pgid of groups) signalGroup(pgid, 'SIGTERM')
    const started = Date.now()
    while ((await processesIn(tmp)).length > 0 && Date.now() - started < 30_000) await new Promise(resolve => setTimeout(resolve, 200))
    for (const pgid of groups) signalGroup(pgid, 'SIGKILL')
    groups.clear()
    await rm(tmp, { recursive: true, force: true })
  })

  it('uses in the three-machine steps only commands and options that the one-machine run exercises', async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8')
    const block = shBlockAfter(readme, readme.indexOf(MARKER))
    const threeMachines = readme.slice(readme.indexOf('## Quick start: three organizations'), readme.indexOf(MARKER))
    const tested = fedaggUsages(block)
    let blocks = 0
    for (let at = threeMachines.indexOf('```sh\n'); at >= 0; at = threeMachines.indexOf('```sh\n', at + 1)) {
      blocks++
      for (const usage of fedaggUsages(shBlockAfter(threeMachines, at))) {
        const same = tested.filter(t => t.command === usage.command)
        assert.ok(same.length > 0, `fedagg ${usage.command} is not in the tested block`)
        for (const option of usage.options) {
          assert.ok(same.some(t => t.options.includes(option)), `fedagg ${usage.command} ${option} is not in the tested block`)
        }
      }
    }
    assert.ok(blocks >= 5, `expected the five three-machine steps, found ${blocks} blocks`)
  })

  it('installs fedagg on the PATH and runs the one-machine federation from init to the first result', async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8')
    // The system's environment, minus anything that would steer fedagg or npm differently from an operator's shell.
    const base = Object.fromEntries(Object.entries(process.env).filter(([name]) =>
      !name.startsWith('FEDAGG_') && !name.startsWith('npm_') && name !== 'INIT_CWD'))
    const prefix = join(tmp, 'prefix')
    await mkdir(join(prefix, 'lib'), { recursive: true })
    // npm installs into this prefix instead of the system's; offline, since installing a clone needs no download.
    const npmEnv = { ...base, npm_config_prefix: prefix, npm_config_offline: 'true' }

    // Install: `git clone` and `npm ci` made this worktree; the rest runs as written, in the clone.
    const install = shBlockAfter(readme, readme.indexOf('## Install')).split('\n')
      .filter(line => line !== '' && !line.startsWith('git clone') && line !== 'npm ci')
    assert.deepEqual(install, ['npm install -g .', 'fedagg --help'])
    const env = { ...npmEnv, PATH: `${join(prefix, 'bin')}:${base.PATH ?? ''}` }
    const installed = await runScript(install.join('\n'), ROOT, env, 120_000)
    assert.equal(installed.code, 0, installed.stderr)
    assert.match(installed.stdout, /^fedagg <command> \[options\]/m)

    const block = shBlockAfter(readme, readme.indexOf(MARKER))
    const run = await runScript(block, tmp, env, 800_000)
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`)
    assert.match(run.stdout, /^sum {2}\[15, 27, 39\]$/m)
    assert.match(run.stdout, /start it with: fedagg start --data-dir \S+\/fedagg-demo\/coord$/m)
    // `kill $(jobs -p)` stopped the five daemons: nothing is left running in the demo directory.
    const stopped = Date.now()
    while ((await processesIn(tmp)).length > 0 && Date.now() - stopped < 30_000) await new Promise(resolve => setTimeout(resolve, 200))
    assert.deepEqual(await processesIn(tmp), [])

  })
})
