// Test helper process: runs runDaemon over FakeFederationNode so signal handling is tested in a real process.
// argv: <dataDir> [stopDelayMs]. The fake's stop() takes stopDelayMs, to test a second signal during shutdown.
import { DEFAULT_CONFIG } from '../../config/defaults.ts'
import { runDaemon } from '../../node/daemon.ts'
import { FakeFederationNode, randomPeerId } from './control/fake-federation-node.ts'

const [dataDir, stopDelay] = process.argv.slice(2)
if (dataDir === undefined) throw new Error('usage: daemon-fake-node-main.ts <dataDir> [stopDelayMs]')
const stopDelayMs = Number(stopDelay ?? 0)

await runDaemon({ ...DEFAULT_CONFIG, dataDir, roles: ['client'], metrics: { enabled: false }, logLevel: 'warn' }, {
  stopOnStdinEnd: process.env.STOP_ON_STDIN_END === '1',
  createNode: async () => {
    const node = new FakeFederationNode({ peerId: await randomPeerId(), roles: ['client'] })
    const stop = node.stop.bind(node)
    node.stop = async () => {
      await new Promise(resolve => setTimeout(resolve, stopDelayMs))
      await stop()
      process.stderr.write('fake node stopped\n')
    }
    return node
  }
})
process.stderr.write('runDaemon returned\n')
