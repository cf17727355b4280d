// Tests config files: syntax errors name file, line and column; unreadable files; atomic, validated writeConfigFile.
import assert from 'node:assert/strict'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { loadConfig, writeConfigFile } from '../../config/index.ts'
import { configErrorLines, tempConfigDir } from './helpers.ts'

describe('config/file', () => {
  let files: ReturnType<typeof tempConfigDir>
  beforeEach(() => { files = tempConfigDir() })
  afterEach(() => { files.remove() })

  it('names the file, line and column of a JSON syntax error', async () => {
    const file = files.write('broken.json', '{\n  "logLevel": "debug"\n  "keyBits": 2048\n}\n')
    assert.deepEqual(await configErrorLines(loadConfig({ file, env: {} })), [`config: ${file}:3:3: expected "," or "}" in JSON, got "\\""`])
  })

  it('names the position even where V8 gives none (a trailing comma)', async () => {
    const file = files.write('trailing.json', '{ "listen": ["/ip4/127.0.0.1/tcp/0",] }')
    assert.deepEqual(await configErrorLines(loadConfig({ file, env: {} })), [`config: ${file}:1:37: expected a value in JSON, got "]"`])
  })

  it('names a truncated file', async () => {
    const file = files.write('cut.json', '{ "round": { "minParticipants": 3')
    assert.deepEqual(await configErrorLines(loadConfig({ file, env: {} })), [`config: ${file}:1:34: expected "," or "}" in JSON, got end of input`])
  })

  it('refuses a file that is not a JSON object', async () => {
    const file = files.write('list.json', '[1, 2]')
    assert.deepEqual(await configErrorLines(loadConfig({ file, env: {} })), [`config: ${file}: expected a JSON object at the top level, got an array`])
  })

  it('names a missing file', async () => {
    const file = join(files.dir, 'absent.json')
    assert.deepEqual(await configErrorLines(loadConfig({ file, env: {} })), [`config: ${file}: expected a readable config file, got ENOENT`])
  })

  it('accepts a leading byte-order mark', async () => {
    const file = files.write('bom.json', '\uFEFF{ "logLevel": "warn" }')
    assert.equal((await loadConfig({ file, env: {} })).logLevel, 'warn')
  })

  it('writes a partial config that loads back to the same values, creating the directory', async () => {
    const file = join(files.dir, 'nested', 'node.json')
    await writeConfigFile(file, { federationId: 'acme', roles: ['coordinator'], limits: { maxConnections: 42 } })
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { federationId: 'acme', roles: ['coordinator'], limits: { maxConnections: 42 } })
    const config = await loadConfig({ file, env: {} })
    assert.deepEqual([config.federationId, config.roles, config.limits.maxConnections], ['acme', ['coordinator'], 42])
    assert.deepEqual(readdirSync(join(files.dir, 'nested')), ['node.json'])
  })

  it('refuses to write a config that would not load, and writes nothing', async () => {
    const file = join(files.dir, 'bad.json')
    const lines = await configErrorLines(writeConfigFile(file, { control: { host: '0.0.0.0' } }))
    assert.deepEqual(lines, [`config: control.host: expected a loopback address (127.0.0.0/8, ::1 or localhost), got "0.0.0.0" (from content for ${file})`])
    assert.equal(existsSync(file), false)
  })
})
