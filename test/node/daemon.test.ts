// Tests the daemon lifecycle: ready line, control.json, refusing a second daemon, graceful and forced shutdown.
// The node is FakeFederationNode (an in-test FederationNode): this tests the daemon around the node, not the node.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { DEFAULT_CONFIG } from '../../config/defaults.ts'
import { ControlClient } from '../../node/control/client.ts'
import { controlFilePath, writeControlFile } from '../../node/control/control-file.ts'
import { createDaemonLogger, startDaemon } from '../../node/daemon.ts'
import type { FedaggConfig } from '../../config/schema.ts'
import { FakeFederationNode, randomPeerId } from './control/fake-federation-node.ts'

const HELPER = new URL('./daemon-fake-node-main.ts', import.meta.url).pathname

async function exists (path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false)
}

describe('node/daemon', () => {
  let dataDir: string
  let config: FedaggConfig
  const logger = createDaemonLogger('silent')

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'fedagg-daemon-'))
    config = { ...DEFAULT_CONFIG, dataDir, roles: ['client'] }
  })

  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true })
  })

  async function fakeNode (): Promise<FakeFederationNode> {
    return new FakeFederationNode({ peerId: await randomPeerId(), roles: ['client'] })
  }

  describe('startDaemon', () => {
    it('starts the node and control API, writes control.json 0600 and prints one ready line', async () => {
      const node = await fakeNode()
      const stdout = new PassThrough()
      const daemon = await startDaemon(config, { logger, stdout, createNode: async () => node })
      try {
        const ready = JSON.parse(String(stdout.read()))
        assert.deepEqual(ready, { event: 'ready', peerId: node.peerId, multiaddrs: node.multiaddrs(), control: daemon.control.url })
        assert.equal(node.started, true)
        assert.equal((await stat(controlFilePath(dataDir))).mode & 0o777, 0o600)
        const client = await ControlClient.fromDataDir(dataDir)
        assert.equal((await client.status()).peerId, node.peerId)
        const exposition = await client.metrics()
        assert.match(exposition, /^# TYPE fedagg_connected_peers gauge$/m)
        assert.match(exposition, /^process_cpu_user_seconds_total /m, 'the daemon also exports process metrics')
      } finally {
        await daemon.stop()
      }
      assert.equal(node.stopped, true)
      assert.equal(await exists(controlFilePath(dataDir)), false)
      await daemon.stop()
    })

    it('refuses to start a second daemon on the same data directory', async () => {
      const first = await startDaemon(config, { logger, stdout: new PassThrough(), createNode: fakeNode })
      try {
        const second = await fakeNode()
        await assert.rejects(startDaemon(config, { logger, stdout: new PassThrough(), createNode: async () => second }), { name: 'DaemonAlreadyRunningError' })
        assert.equal(second.started, false)
        assert.equal((await (await ControlClient.fromDataDir(dataDir)).status()).peerId, first.node.peerId, 'control.json still points at the first')
      } finally {
        await first.stop()
      }
    })

    it('replaces a stale control.json left by a killed daemon', async () => {
      await writeControlFile(dataDir, { url: 'http://127.0.0.1:9', token: 'stale' })
      const daemon = await startDaemon(config, { logger, stdout: new PassThrough(), createNode: fakeNode })
      try {
        assert.equal((await ControlClient.fromDataDir(dataDir)).url, daemon.control.url)
      } finally {
        await daemon.stop()
      }
    })

    it('stops the node and writes no control.json when start fails', async () => {
      const node = await fakeNode()
      node.start = async () => { throw new Error('listen EADDRINUSE') }
      await assert.rejects(startDaemon(config, { logger, stdout: new PassThrough(), createNode: async () => node }), /EADDRINUSE/)
      assert.equal(node.stopped, true)
      assert.equal(await exists(controlFilePath(dataDir)), false)
    })

    it('refuses a control host that is not loopback before touching the node', async () => {
      // The config schema already refuses this; the server refuses it again on its own.
      const node = await fakeNode()
      await assert.rejects(startDaemon({ ...config, control: { host: '0.0.0.0', port: 0 } }, { logger, stdout: new PassThrough(), createNode: async () => node }), { name: 'NonLoopbackHostError' })
      assert.equal(node.stopped, true)
    })
  })

  describe('runDaemon in a process', () => {
    const children: ChildProcess[] = []
    afterEach(() => {
      for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    })

    async function startHelper (stopDelayMs = 0, env: Record<string, string> = {}): Promise<{ child: ChildProcess, exited: Promise<number | null>, stderr: () => string }> {
      const child = spawn(process.execPath, [HELPER, dataDir, String(stopDelayMs)], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } })
      children.push(child)
      let stderr = ''
      child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
      const exited = new Promise<number | null>(resolve => child.once('exit', code => { resolve(code) }))
      await new Promise<void>((resolve, reject) => {
        child.stdout?.once('data', () => { resolve() })
        child.once('exit', code => { reject(new Error(`helper exited ${code}: ${stderr}`)) })
      })
      return { child, exited, stderr: () => stderr }
    }

    it('shuts down gracefully on SIGTERM and removes control.json', async () => {
      const { child, exited, stderr } = await startHelper()
      assert.equal(await exists(controlFilePath(dataDir)), true)
      child.kill('SIGTERM')
      assert.equal(await exited, 0)
      assert.match(stderr(), /fake node stopped/)
      assert.match(stderr(), /runDaemon returned/)
      assert.equal(await exists(controlFilePath(dataDir)), false)
    })

    it('exits 1 at once on a second signal during shutdown', async () => {
      const { child, exited, stderr } = await startHelper(20_000)
      child.kill('SIGINT')
      await new Promise(resolve => setTimeout(resolve, 300))
      const started = Date.now()
      child.kill('SIGINT')
      assert.equal(await exited, 1)
      assert.ok(Date.now() - started < 5000)
      assert.doesNotMatch(stderr(), /fake node stopped/)
    })

    it('shuts down when stdin ends, if asked to', async () => {
      const { child, exited, stderr } = await startHelper(0, { STOP_ON_STDIN_END: '1' })
      child.stdin?.end()
      assert.equal(await exited, 0)
      assert.match(stderr(), /fake node stopped/)
    })
  })
})
