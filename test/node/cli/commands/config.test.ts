// Tests `fedagg config check [FILE]`: valid files pass, a bad file exits non-zero naming every bad field.
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCli } from '../cli-harness.ts'

describe('node/cli/commands/config', () => {
  let root: string
  beforeEach(async () => { root = await mkdtemp(join(tmpdir(), 'fedagg-config-check-')) })
  afterEach(async () => { await rm(root, { recursive: true, force: true }) })

  it('exits 1 on a bad file and names each bad field with what was expected', async () => {
    const file = join(root, 'bad.json')
    await writeFile(file, JSON.stringify({ roles: ['client'], limits: { maxConnections: 'abc' }, round: { deadlineSecnds: 5 } }))
    const run = await runCli(['config', 'check', file])
    assert.equal(run.code, 1)
    assert.match(run.stdout, /^config: limits\.maxConnections: expected a positive integer, got "abc"/m)
    assert.match(run.stdout, /round\.deadlineSecnds/m)
    assert.match(run.stderr, /^fedagg: InvalidConfigFileError: .*bad\.json: 2 problems/)
    const json = await runCli(['config', 'check', file, '--json'])
    assert.equal(json.code, 1)
    assert.deepEqual(JSON.parse(json.stdout).issues.map((issue: { path: string }) => issue.path).sort(), ['limits.maxConnections', 'round.deadlineSecnds'])
  })

  it('exits 0 on a valid file, and checks the data dir\'s config by default', async () => {
    const file = join(root, 'good.json')
    await writeFile(file, JSON.stringify({ roles: ['client'], federationId: 'acme' }))
    const run = await runCli(['config', 'check', file])
    assert.equal(run.code, 0, run.stderr)
    assert.equal(run.stdout, `${file}: valid\n`)
    const node = join(root, 'node')
    assert.equal((await runCli(['init', '--data-dir', node, '--role', 'client'])).code, 0)
    assert.equal((await runCli(['config', 'check', '--data-dir', node])).stdout, `${join(node, 'config.json')}: valid\n`)
  })

  it('names an unreadable file and a syntax error\'s position', async () => {
    const missing = await runCli(['config', 'check', join(root, 'nope.json')])
    assert.equal(missing.code, 1)
    assert.match(missing.stdout, /nope\.json: expected a readable config file, got ENOENT/)
    const file = join(root, 'broken.json')
    await writeFile(file, '{"roles": ["client"],}')
    const broken = await runCli(['config', 'check', file])
    assert.equal(broken.code, 1)
    assert.match(broken.stdout, /broken\.json:1:\d+: expected/)
  })
})
