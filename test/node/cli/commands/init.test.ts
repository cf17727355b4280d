// Tests `fedagg init` for non-coordinator roles (no key generation; the e2e tests cover a coordinator).
import assert from 'node:assert/strict'
import { access, mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../../../../config/index.ts'
import { initNode } from '../../../../node/cli/commands/init.ts'
import { loadIdentity } from '../../../../node/identity.ts'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { runCli } from '../cli-harness.ts'

describe('node/cli/commands/init', () => {
  let root: string
  beforeEach(async () => { root = await mkdtemp(join(tmpdir(), 'fedagg-init-')) })
  afterEach(async () => { await rm(root, { recursive: true, force: true }) })

  it('creates a 0700 data directory, an identity and a config file the daemon loads', async () => {
    const dataDir = join(root, 'node')
    const result = await initNode({ dataDir, roles: ['aggregator'], federation: 'fed-1', listen: ['/ip4/127.0.0.1/tcp/0'], name: 'Org A' })
    assert.equal((await stat(dataDir)).mode & 0o777, 0o700)
    assert.equal(result.peerId, peerIdFromPrivateKey(await loadIdentity(dataDir)).toString())
    assert.equal(result.config, join(dataDir, 'config.json'))
    assert.equal(result.paillierKey, undefined)
    const config = await loadConfig({ file: result.config, env: {} })
    assert.equal(config.dataDir, dataDir)
    assert.deepEqual(config.roles, ['aggregator'])
    assert.equal(config.federationId, 'fed-1')
    assert.equal(config.displayName, 'Org A')
    await assert.rejects(access(join(dataDir, 'paillier.key')))
  })

  it('refuses to initialize twice', async () => {
    const dataDir = join(root, 'node')
    await initNode({ dataDir, roles: ['client'] })
    await assert.rejects(initNode({ dataDir, roles: ['client'] }), { name: 'AlreadyInitializedError' })
  })

  it('validates the config before creating anything', async () => {
    const dataDir = join(root, 'node')
    await assert.rejects(initNode({ dataDir, roles: ['client'], federation: 'Not Valid!' }), (err: Error) => {
      assert.equal(err.name, 'ConfigError')
      assert.match(err.message, /federationId/)
      return true
    })
    await assert.rejects(access(dataDir), 'no data directory was created')
  })

  it('prints the peer ID first, or JSON with --json', async () => {
    const text = await runCli(['init', '--data-dir', join(root, 'a'), '--role', 'client'])
    assert.equal(text.code, 0, text.stderr)
    assert.match(text.stdout, /^12D3KooW\w+\n/)
    const json = await runCli(['init', '--data-dir', join(root, 'b'), '--role', 'client', '--role', 'aggregator', '--json'])
    const result = JSON.parse(json.stdout)
    assert.deepEqual(result.roles, ['client', 'aggregator'])
    assert.equal(json.stderr, '')
  })
})
