// Tests the field catalog: one environment variable per field, named as documented, typed from the schema.
import assert from 'node:assert/strict'
import { CONFIG_FIELDS, envName } from '../../config/index.ts'

describe('config/catalog', () => {
  it('gives every field its own environment variable and flag name', () => {
    assert.equal(new Set(CONFIG_FIELDS.map(f => f.env)).size, CONFIG_FIELDS.length)
    assert.equal(new Set(CONFIG_FIELDS.map(f => f.name)).size, CONFIG_FIELDS.length)
  })

  it('has the documented variables', () => {
    const byEnv = new Map(CONFIG_FIELDS.map(f => [f.env, f]))
    const expected: Array<[string, string, string]> = [
      ['FEDAGG_DATA_DIR', 'dataDir', 'string'],
      ['FEDAGG_LISTEN', 'listen', 'list'],
      ['FEDAGG_JOIN', 'join', 'string'],
      ['FEDAGG_FEDERATION_ID', 'federationId', 'string'],
      ['FEDAGG_ROLES', 'roles', 'list'],
      ['FEDAGG_CONTROL_PORT', 'control.port', 'number'],
      ['FEDAGG_LOG_LEVEL', 'logLevel', 'string'],
      ['FEDAGG_LIMITS_MAX_CONNECTIONS', 'limits.maxConnections', 'number'],
      ['FEDAGG_KEY_BITS', 'keyBits', 'number'],
      ['FEDAGG_METRICS_ENABLED', 'metrics.enabled', 'boolean']
    ]
    for (const [env, name, kind] of expected) {
      assert.deepEqual([byEnv.get(env)?.name, byEnv.get(env)?.kind], [name, kind], env)
    }
  })

  it('turns camelCase paths into UPPER_SNAKE', () => {
    assert.equal(envName(['limits', 'yamux', 'maxStreamWindowSize']), 'FEDAGG_LIMITS_YAMUX_MAX_STREAM_WINDOW_SIZE')
  })
})
