// Tests loadConfig: layer precedence (defaults < file < env < flags), error lines naming field and source, unknown names refused.
import assert from 'node:assert/strict'
import { resolve } from 'node:path'
import { DEFAULT_CONFIG, loadConfig } from '../../config/index.ts'
import { PEER_ID, configErrorLines, tempConfigDir } from './helpers.ts'

describe('config/load', () => {
  let files: ReturnType<typeof tempConfigDir>
  beforeEach(() => { files = tempConfigDir() })
  afterEach(() => { files.remove() })

  describe('precedence', () => {
    it('returns the defaults when nothing overrides them, with dataDir made absolute', async () => {
      const config = await loadConfig({ env: {} })
      assert.deepEqual(config, { ...DEFAULT_CONFIG, dataDir: resolve('./.fedagg') })
    })

    it('file overrides defaults, field by field inside objects', async () => {
      const file = files.write('c.json', JSON.stringify({ limits: { maxConnections: 100, yamux: { maxMessageSize: 2048 } }, logLevel: 'debug' }))
      const config = await loadConfig({ file, env: {} })
      assert.equal(config.limits.maxConnections, 100)
      assert.equal(config.limits.yamux.maxMessageSize, 2048)
      assert.equal(config.limits.yamux.maxStreamWindowSize, DEFAULT_CONFIG.limits.yamux.maxStreamWindowSize)
      assert.equal(config.limits.dialTimeoutMs, DEFAULT_CONFIG.limits.dialTimeoutMs)
      assert.equal(config.logLevel, 'debug')
    })

    it('environment overrides the file, flags override the environment', async () => {
      const file = files.write('c.json', JSON.stringify({ logLevel: 'debug', control: { port: 1000 }, limits: { maxConnections: 100 }, federationId: 'from-file' }))
      const env = { FEDAGG_LOG_LEVEL: 'warn', FEDAGG_CONTROL_PORT: '2000', FEDAGG_LIMITS_MAX_CONNECTIONS: '200' }
      const config = await loadConfig({ file, env, flags: { 'control.port': 3000 } })
      assert.equal(config.federationId, 'from-file') // file only
      assert.equal(config.logLevel, 'warn') // env over file
      assert.equal(config.limits.maxConnections, 200) // env over file
      assert.equal(config.control.port, 3000) // flag over env over file
    })

    it('a list from a higher layer replaces the lower one (no concatenation)', async () => {
      const file = files.write('c.json', JSON.stringify({ listen: ['/ip4/127.0.0.1/tcp/1', '/ip4/127.0.0.1/tcp/2'] }))
      assert.deepEqual((await loadConfig({ file, env: {} })).listen, ['/ip4/127.0.0.1/tcp/1', '/ip4/127.0.0.1/tcp/2'])
      assert.deepEqual((await loadConfig({ file, env: { FEDAGG_LISTEN: '/ip4/127.0.0.1/tcp/3' } })).listen, ['/ip4/127.0.0.1/tcp/3'])
      assert.deepEqual((await loadConfig({ file, env: {}, flags: { listen: ['/ip6/::1/tcp/4'] } })).listen, ['/ip6/::1/tcp/4'])
    })

    it('reads every documented environment variable with its type', async () => {
      const config = await loadConfig({
        env: {
          FEDAGG_DATA_DIR: '/var/lib/fedagg',
          FEDAGG_LISTEN: ' /ip4/127.0.0.1/tcp/1 , /ip4/127.0.0.1/tcp/2,',
          FEDAGG_JOIN: `/ip4/10.0.0.1/tcp/4001/p2p/${PEER_ID}`,
          FEDAGG_FEDERATION_ID: 'acme-fl',
          FEDAGG_ROLES: 'aggregator,client',
          FEDAGG_CONTROL_PORT: '7400',
          FEDAGG_LOG_LEVEL: 'debug',
          FEDAGG_LIMITS_MAX_CONNECTIONS: '64',
          FEDAGG_LIMITS_MAX_INBOUND_STREAMS_SUBMIT: '8',
          FEDAGG_LIMITS_YAMUX_MAX_STREAM_WINDOW_SIZE: '1048576',
          FEDAGG_METRICS_ENABLED: 'false',
          FEDAGG_KEY_BITS: '2048',
          FEDAGG_ROUND_CLIP: '0.5'
        }
      })
      assert.equal(config.dataDir, '/var/lib/fedagg')
      assert.deepEqual(config.listen, ['/ip4/127.0.0.1/tcp/1', '/ip4/127.0.0.1/tcp/2'])
      assert.equal(config.join, `/ip4/10.0.0.1/tcp/4001/p2p/${PEER_ID}`)
      assert.equal(config.federationId, 'acme-fl')
      assert.deepEqual(config.roles, ['aggregator', 'client'])
      assert.equal(config.control.port, 7400)
      assert.equal(config.logLevel, 'debug')
      assert.equal(config.limits.maxConnections, 64)
      assert.equal(config.limits.maxInboundStreams.submit, 8)
      assert.equal(config.limits.yamux.maxStreamWindowSize, 1048576)
      assert.equal(config.metrics.enabled, false)
      assert.equal(config.keyBits, 2048)
      assert.equal(config.round.clip, 0.5)
    })

    it('treats an empty variable as unset, except a list, where it is the empty list', async () => {
      const config = await loadConfig({ env: { FEDAGG_LOG_LEVEL: '', FEDAGG_LISTEN: '' } })
      assert.equal(config.logLevel, DEFAULT_CONFIG.logLevel)
      assert.deepEqual(config.listen, [])
    })

    it('takes flags dotted, nested, kebab-case, or as text, and skips yargs internals and unset options', async () => {
      const config = await loadConfig({
        env: {},
        flags: {
          _: ['start'],
          $0: 'fedagg',
          'data-dir': '/srv/node',
          'limits.maxConnections': '77',
          limits: { yamux: { 'max-message-size': 4096 } },
          control: { port: 9000 },
          logLevel: undefined,
          listen: '/ip4/127.0.0.1/tcp/5,/ip4/127.0.0.1/tcp/6'
        }
      })
      assert.equal(config.dataDir, '/srv/node')
      assert.equal(config.limits.maxConnections, 77)
      assert.equal(config.limits.yamux.maxMessageSize, 4096)
      assert.equal(config.control.port, 9000)
      assert.equal(config.logLevel, 'info')
      assert.deepEqual(config.listen, ['/ip4/127.0.0.1/tcp/5', '/ip4/127.0.0.1/tcp/6'])
    })

    it('reads process.env when no env is given', async () => {
      const saved = process.env.FEDAGG_LOG_LEVEL
      process.env.FEDAGG_LOG_LEVEL = 'error'
      try {
        assert.equal((await loadConfig()).logLevel, 'error')
      } finally {
        if (saved === undefined) delete process.env.FEDAGG_LOG_LEVEL
        else process.env.FEDAGG_LOG_LEVEL = saved
      }
    })
  })

  describe('errors', () => {
    it('names the field, the expectation, the value and the variable it came from', async () => {
      const lines = await configErrorLines(loadConfig({ env: { FEDAGG_LIMITS_MAX_CONNECTIONS: 'abc' } }))
      assert.deepEqual(lines, ['config: limits.maxConnections: expected a positive integer, got "abc" (from FEDAGG_LIMITS_MAX_CONNECTIONS)'])
    })

    it('names the file a bad value came from', async () => {
      const file = files.write('bad.json', JSON.stringify({ limits: { maxInboundStreams: { submit: 0 } } }))
      const lines = await configErrorLines(loadConfig({ file, env: {} }))
      assert.deepEqual(lines, [`config: limits.maxInboundStreams.submit: expected a positive integer, got 0 (from file ${file})`])
    })

    it('names the flag a bad value came from', async () => {
      const lines = await configErrorLines(loadConfig({ env: {}, flags: { 'control.port': 70000 } }))
      assert.deepEqual(lines, ['config: control.port: expected a port in [0, 65535] (0 = ephemeral), got 70000 (from flag --control.port)'])
    })

    it('lists every problem at once, from every layer', async () => {
      const file = files.write('c.json', JSON.stringify({ keyBits: 1024, round: { deadlineSeconds: -5 } }))
      const lines = await configErrorLines(loadConfig({
        file,
        env: { FEDAGG_LOG_LEVEL: 'loud', FEDAGG_LIMITS_DIAL_TIMEOUT_MS: '1.5' },
        flags: { federationId: 'Has Spaces' }
      }))
      assert.equal(lines.length, 5)
      assert.ok(lines.some(l => l.startsWith('config: keyBits: expected one of 2048, 3072, 4096') && l.endsWith(`got 1024 (from file ${file})`)), lines.join('\n'))
      assert.ok(lines.includes(`config: round.deadlineSeconds: expected a positive integer <= 604800, got -5 (from file ${file})`), lines.join('\n'))
      assert.ok(lines.includes('config: logLevel: expected one of "error", "warn", "info", "debug", got "loud" (from FEDAGG_LOG_LEVEL)'), lines.join('\n'))
      assert.ok(lines.includes('config: limits.dialTimeoutMs: expected a positive integer, got 1.5 (from FEDAGG_LIMITS_DIAL_TIMEOUT_MS)'), lines.join('\n'))
      assert.ok(lines.some(l => l.startsWith('config: federationId: expected lowercase letters') && l.endsWith('got "Has Spaces" (from flag --federationId)')), lines.join('\n'))
    })

    it('refuses unknown keys in the file, at any depth, with a hint', async () => {
      const file = files.write('c.json', JSON.stringify({ logLevl: 'info', limits: { maxConections: 5, yamux: { windowSize: 1 } } }))
      const lines = await configErrorLines(loadConfig({ file, env: {} }))
      assert.deepEqual(lines.sort(), [
        `config: limits.maxConections: unknown key; did you mean maxConnections? (from file ${file})`,
        `config: limits.yamux.windowSize: unknown key (from file ${file})`,
        `config: logLevl: unknown key; did you mean logLevel? (from file ${file})`
      ])
    })

    it('refuses a __proto__ key as unknown instead of letting it change a prototype', async () => {
      const file = files.write('c.json', '{ "limits": { "__proto__": { "maxConnections": 1 } } }')
      const lines = await configErrorLines(loadConfig({ file, env: {} }))
      assert.deepEqual(lines, [`config: limits.__proto__: unknown key (from file ${file})`])
      assert.equal(({} as Record<string, unknown>).maxConnections, undefined)
    })

    it('refuses unknown FEDAGG_* variables but leaves FEDAGG_CONFIG and other programs\' variables alone', async () => {
      const lines = await configErrorLines(loadConfig({ env: { FEDAGG_LIMITS_MAX_CONECTIONS: '5', FEDAGG_CONFIG: '/x.json', HOME: '/root' } }))
      assert.deepEqual(lines, ['config: FEDAGG_LIMITS_MAX_CONECTIONS: unknown environment variable; did you mean FEDAGG_LIMITS_MAX_CONNECTIONS? (from environment)'])
      const config = await loadConfig({ env: { FEDAGG_TOKEN: 'secret' }, otherEnvVars: ['FEDAGG_TOKEN'] })
      assert.equal(config.logLevel, 'info')
    })

    it('refuses unknown flags', async () => {
      const lines = await configErrorLines(loadConfig({ env: {}, flags: { 'log-levle': 'debug' } }))
      assert.deepEqual(lines, ['config: logLevle: unknown flag; did you mean logLevel? (from flag --logLevle)'])
    })

    it('reports a replaced object with the layer that replaced it', async () => {
      const file = files.write('c.json', JSON.stringify({ limits: 5 }))
      const lines = await configErrorLines(loadConfig({ file, env: {} }))
      assert.deepEqual(lines, [`config: limits: expected an object, got 5 (from file ${file})`])
    })

    it('blames cross-field problems on the field and says which other field bounds it', async () => {
      const lines = await configErrorLines(loadConfig({ env: { FEDAGG_ROUND_MAX_PARTICIPANTS: '1' } }))
      assert.deepEqual(lines, ['config: round.minParticipants: expected at most round.maxParticipants (1), got 3 (default)'])
    })

    it('requires a clip bound for a fixed-point encoding, naming the encoding', async () => {
      const lines = await configErrorLines(loadConfig({ env: { FEDAGG_ROUND_ENCODING: 'fixed:16' } }))
      assert.deepEqual(lines, ['config: round.clip: expected a clip bound for fixed-point (required by round.encoding "fixed:16"), got nothing (default)'])
      const config = await loadConfig({ env: { FEDAGG_ROUND_ENCODING: 'fixed:16', FEDAGG_ROUND_CLIP: '4' } })
      assert.deepEqual([config.round.encoding, config.round.clip], ['fixed:16', 4])
    })
  })
})
