// Issue 8, Why 2: a mistyped --data-dir is refused, naming the path, instead of silently becoming a new node;
// relative paths resolve against the operator's directory, also under `npm run`; init prints the exact next command.
import assert from 'node:assert/strict'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ChildProcesses } from '../../../node/local/child-processes.ts'
import { runCli } from './cli-harness.ts'

const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('FEDAGG_') && name !== 'INIT_CWD' && name !== 'npm_lifecycle_event'))

describe('node/cli: data directories', function () {
  this.timeout(60_000)
  let root: string
  const children = new ChildProcesses()
  beforeEach(async () => { root = await mkdtemp(join(tmpdir(), 'fedagg-datadir-')) })
  afterEach(async () => {
    await children.stopAll(5_000)
    await rm(root, { recursive: true, force: true })
  })

  it('start with a mistyped --data-dir exits 1 naming the path and creates nothing', async () => {
    assert.equal((await runCli(['init', '--data-dir', join(root, 'node'), '--role', 'client'], env)).code, 0)
    const typo = join(root, 'nodee')
    const child = children.spawn('start typo', ['start', '--data-dir', typo], { env })
    let stderr = ''
    child.process.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
    const timer = setTimeout(() => { child.process.kill('SIGTERM') }, 30_000)
    const exited = await child.exited
    clearTimeout(timer)
    assert.deepEqual(exited, { code: 1, signal: null }, `start on a mistyped data dir must fail, not run: ${stderr}`)
    assert.match(stderr, new RegExp(`^fedagg: NotInitializedError: no fedagg node in ${typo}: the directory does not exist`, 'm'))
    assert.deepEqual(await readdir(root), ['node'], 'no new node was created')
  })

  it('every command but init refuses a directory without an identity, naming it', async () => {
    const empty = join(root, 'empty')
    for (const args of [['status'], ['id'], ['members', 'list'], ['round', 'status'], ['submit', '--values', '1'], ['config', 'check']]) {
      const run = await runCli([...args, '--data-dir', root], env)
      assert.equal(run.code, 1, args.join(' '))
      assert.match(run.stderr, new RegExp(`^fedagg: NotInitializedError: no fedagg node in ${root}: it holds no identity.key`), args.join(' '))
      const missing = await runCli([...args, '--data-dir', empty], env)
      assert.match(missing.stderr, /NotInitializedError: .*the directory does not exist/, args.join(' '))
    }
  })

  it('resolves a relative --data-dir against the operator\'s directory under npm run (INIT_CWD)', async () => {
    const npmEnv = { ...env, npm_lifecycle_event: 'fedagg', INIT_CWD: root }
    const run = await runCli(['init', '--data-dir', 'org-a', '--role', 'client', '--json'], npmEnv)
    assert.equal(run.code, 0, run.stderr)
    assert.equal(JSON.parse(run.stdout).dataDir, join(root, 'org-a'))
    // Any other npm script passes INIT_CWD down to what it spawns; only our own script trusts it.
    const other = await runCli(['id', '--data-dir', 'org-a'], { ...env, npm_lifecycle_event: 'test', INIT_CWD: root })
    assert.match(other.stderr, new RegExp(`no fedagg node in ${join(process.cwd(), 'org-a')}`))
  })

  it('init prints the exact next command, data dir included', async () => {
    const dir = join(root, 'org b')
    const run = await runCli(['init', '--data-dir', dir, '--role', 'client'], env)
    assert.equal(run.code, 0, run.stderr)
    assert.match(run.stdout, new RegExp(`start it with: fedagg start --data-dir '${dir}' --join <coordinator multiaddr>$`, 'm'))
  })
})
