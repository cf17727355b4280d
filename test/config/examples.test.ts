// Tests that the example federation configs in config/examples load as they are.
import assert from 'node:assert/strict'
import { fileURLToPath } from 'node:url'
import { loadConfig } from '../../config/index.ts'

const example = (name: string): string => fileURLToPath(new URL(`../../config/examples/${name}.json`, import.meta.url))

describe('config/examples', () => {
  it('coordinator.json is a coordinator with a fixed-point round default', async () => {
    const config = await loadConfig({ file: example('coordinator'), env: {} })
    assert.deepEqual(config.roles, ['coordinator'])
    assert.equal(config.join, undefined)
    assert.deepEqual([config.round.encoding, config.round.clip], ['fixed:16', 8])
  })

  for (const name of ['aggregator', 'client']) {
    it(`${name}.json joins the coordinator by peer ID in the same federation`, async () => {
      const coordinator = await loadConfig({ file: example('coordinator'), env: {} })
      const config = await loadConfig({ file: example(name), env: {} })
      assert.deepEqual(config.roles, [name])
      assert.equal(config.federationId, coordinator.federationId)
      assert.match(config.join ?? '', /\/p2p\/12D3KooW\w+$/)
    })
  }
})
