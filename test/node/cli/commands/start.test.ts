// Tests how `fedagg start` finds and layers its config: file in the data dir, --config, FEDAGG_CONFIG, flags.
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { initNode } from '../../../../node/cli/commands/init.ts'
import { loadStartConfig } from '../../../../node/cli/commands/start.ts'

const COORDINATOR = '/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWMKvVmeAPCGZaW5XAag93QeGL2qeeMw6ZdyuP2ciMCZKJ'

describe('node/cli/commands/start', () => {
  let root: string
  let dataDir: string
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'fedagg-start-'))
    dataDir = join(root, 'node')
    await initNode({ dataDir, roles: ['client'], federation: 'fed-a' })
  })
  afterEach(async () => { await rm(root, { recursive: true, force: true }) })

  it('reads <data-dir>/config.json when no --config is given', async () => {
    const config = await loadStartConfig({ dataDir, dataDirGiven: true }, {})
    assert.equal(config.federationId, 'fed-a')
    assert.equal(config.dataDir, dataDir)
  })

  it('lets --listen and --join override the file, and FEDAGG_* the file too', async () => {
    const config = await loadStartConfig({ dataDir, dataDirGiven: true, listen: ['/ip4/127.0.0.1/tcp/5000'], join: COORDINATOR }, { FEDAGG_LOG_LEVEL: 'debug' })
    assert.deepEqual(config.listen, ['/ip4/127.0.0.1/tcp/5000'])
    assert.equal(config.join, COORDINATOR)
    assert.equal(config.logLevel, 'debug')
  })

  it('takes a fixed control port from --control-port, or FEDAGG_CONTROL_PORT, and keeps the random port (0) by default', async () => {
    assert.equal((await loadStartConfig({ dataDir, dataDirGiven: true }, {})).control.port, 0)
    assert.equal((await loadStartConfig({ dataDir, dataDirGiven: true }, { FEDAGG_CONTROL_PORT: '9464' })).control.port, 9464)
    assert.equal((await loadStartConfig({ dataDir, dataDirGiven: true, controlPort: 9465 }, { FEDAGG_CONTROL_PORT: '9464' })).control.port, 9465)
    await assert.rejects(loadStartConfig({ dataDir, dataDirGiven: true, controlPort: 70_000 }, {}), /control\.port: expected a port in \[0, 65535\]/)
  })

  it('uses --config, or FEDAGG_CONFIG, over the data dir\'s file', async () => {
    const other = join(root, 'other.json')
    await writeFile(other, JSON.stringify({ dataDir, federationId: 'fed-b', roles: ['aggregator'] }))
    const fromFlag = await loadStartConfig({ dataDir: join(root, 'ignored'), dataDirGiven: false, config: other }, {})
    assert.equal(fromFlag.federationId, 'fed-b')
    assert.equal(fromFlag.dataDir, dataDir, 'the file\'s dataDir stands when --data-dir is not given')
    const fromEnv = await loadStartConfig({ dataDir: join(root, 'ignored'), dataDirGiven: false }, { FEDAGG_CONFIG: other })
    assert.deepEqual(fromEnv.roles, ['aggregator'])
  })

  it('refuses a bad --join with a ConfigError naming the field', async () => {
    await assert.rejects(loadStartConfig({ dataDir, dataDirGiven: true, join: '/ip4/127.0.0.1/tcp/4001' }, {}), (err: Error) => {
      assert.equal(err.name, 'ConfigError')
      assert.match(err.message, /join: .*\/p2p\/<peerId>/)
      return true
    })
  })
})
