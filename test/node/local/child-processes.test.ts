// Tests spawning fedagg processes: each leads its own process group, failures carry the child's error
// line, and stopAll/killAll leave nothing running. Uses real `fedagg start` daemons (client role).
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ChildProcesses } from '../../../node/local/child-processes.ts'
import { waitForReady } from '../../../node/local/ready-line.ts'

/** The process group of a live process, from /proc/<pid>/stat (field 5). */
async function processGroupOf (pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return Number(fields[2])
}

/** The runner's environment without FEDAGG_* variables, which every child would otherwise read as config. */
const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('FEDAGG_')))

describe('node/local/child-processes', function () {
  this.timeout(60_000)
  let root: string
  let children: ChildProcesses

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'fedagg-children-'))
    children = new ChildProcesses()
  })

  afterEach(async () => {
    children.killAll()
    await children.stopAll(1000)
    await rm(root, { recursive: true, force: true })
  })

  it('runs a command to completion and returns its stdout', async () => {
    const out = await children.run('init', ['init', '--data-dir', join(root, 'n'), '--role', 'client', '--json'], { env })
    assert.match(JSON.parse(out).peerId, /^12D3KooW/)
    assert.equal(children.size, 0)
  })

  it('turns a failing command into ChildProcessFailedError with its error line', async () => {
    await assert.rejects(children.run('bad', ['nope'], { env }), (err: Error) => {
      assert.equal(err.name, 'ChildProcessFailedError')
      assert.match(err.message, /exited with 2: fedagg: UsageError: Unknown argument: nope$/)
      return true
    })
  })

  it('starts daemons as process group leaders and stops them gracefully', async () => {
    const dataDir = join(root, 'n')
    await children.run('init', ['init', '--data-dir', dataDir, '--role', 'client'], { env })
    const child = children.spawn('daemon', ['start', '--data-dir', dataDir, '--stop-on-stdin-end'], { stdin: 'pipe', env })
    const ready = await waitForReady(child, { timeoutMs: 30_000 })
    assert.match(ready.control, /^http:\/\/127\.0\.0\.1:\d+$/)
    const pid = child.process.pid as number
    assert.equal(await processGroupOf(pid), pid)
    await children.stopAll(10_000)
    assert.deepEqual(await child.exited, { code: 0, signal: null })
    assert.equal(children.size, 0)
  })

  it('kills every group at once with killAll', async () => {
    const dataDir = join(root, 'n')
    await children.run('init', ['init', '--data-dir', dataDir, '--role', 'client'], { env })
    const child = children.spawn('daemon', ['start', '--data-dir', dataDir], { stdin: 'pipe', env })
    await waitForReady(child, { timeoutMs: 30_000 })
    children.killAll()
    assert.deepEqual(await child.exited, { code: null, signal: 'SIGKILL' })
  })

  it('reports a daemon that exits before it is ready, and one that is too slow', async () => {
    const broken = children.spawn('broken', ['start', '--data-dir', join(root, 'x'), '--join', '/ip4/127.0.0.1/tcp/1'], { env })
    await assert.rejects(waitForReady(broken, { timeoutMs: 30_000, logHint: 'x.log' }), (err: Error) => {
      assert.equal(err.name, 'DaemonStartFailedError')
      assert.match(err.message, /broken exited with 1 before it was ready \(log: x\.log\)/)
      return true
    })
    const dataDir = join(root, 'n')
    await children.run('init', ['init', '--data-dir', dataDir, '--role', 'client'], { env })
    const slow = children.spawn('slow', ['start', '--data-dir', dataDir], { env })
    await assert.rejects(waitForReady(slow, { timeoutMs: 1 }), /slow not ready after 1 ms/)
  })
})
