// Tests the namespace network: addresses and reachability across the bridge, partitions and cuts, shaping rules,
// and a teardown that leaves nothing behind (no namespace, no process, nothing in the host's own namespace).
import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { promisify } from 'node:util'
import { NetnsNetwork, netnsUnavailableReason } from '../../../scripts/netns/network.ts'

const run = promisify(execFile)
const PORT = 5055

async function namespaces (): Promise<string[]> {
  const { stdout } = await run('ip', ['netns', 'list'])
  return stdout.split('\n').map(line => line.split(' ')[0]!).filter(name => name !== '')
}

async function hostLinks (): Promise<string> {
  return (await run('ip', ['-o', 'link', 'show'])).stdout.split('\n').map(line => line.split(':')[1]?.trim()).sort().join(' ')
}

/** Connects from node `from` to a one-shot TCP server in node `to`; resolves with what the server sent, or the error's code. */
async function probe (network: NetnsNetwork, from: string, to: string): Promise<string> {
  const server = spawn(network.exec(to)[0]!, [...network.exec(to).slice(1), process.execPath, '-e',
    `require('node:net').createServer(s => s.end('hello')).listen(${PORT}, '${network.address(to)}', () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] })
  try {
    await new Promise<void>(resolve => { server.stdout.once('data', () => { resolve() }) })
    const client = `const s = require('node:net').connect(${PORT}, '${network.address(to)}'); let d = ''; s.setTimeout(2000, () => { console.log('TIMEOUT'); process.exit() });` +
      ` s.on('data', c => { d += c }); s.on('end', () => console.log(d)); s.on('error', e => console.log(e.code))`
    const { stdout } = await run(network.exec(from)[0]!, [...network.exec(from).slice(1), process.execPath, '-e', client])
    return stdout.trim()
  } finally {
    server.kill('SIGKILL')
  }
}

describe('scripts/netns/network', function () {
  this.timeout(60_000)
  const networks: NetnsNetwork[] = []

  before(async function () {
    const reason = await netnsUnavailableReason()
    if (reason !== undefined) {
      console.log(`      skipped: the multi-host harness ${reason}`)
      this.skip()
    }
  })

  afterEach(async () => {
    await Promise.all(networks.splice(0).map(async network => network.destroy()))
  })

  it('gives every node its own namespace and address, reachable across the bridge', async () => {
    const network = await NetnsNetwork.create(['a', 'b'])
    networks.push(network)
    assert.match(network.prefix, /^fedagg-[0-9a-f]{6}$/)
    const names = await namespaces()
    assert.ok(names.includes(network.namespace('a')) && names.includes(network.namespace('b')) && names.includes(`${network.prefix}-hub`))
    assert.notEqual(network.address('a'), network.address('b'))
    assert.equal(await probe(network, 'a', 'b'), 'hello')
  })

  it('builds two networks side by side without a shared name, and changes nothing in the host namespace', async () => {
    const before = await hostLinks()
    const [one, two] = await Promise.all([NetnsNetwork.create(['a', 'b']), NetnsNetwork.create(['a', 'b'])])
    networks.push(one, two)
    assert.notEqual(one.prefix, two.prefix)
    assert.equal(await hostLinks(), before)
    // Same addresses in both, yet each pair only talks among itself.
    assert.equal(await probe(one, 'a', 'b'), 'hello')
    assert.equal(await probe(two, 'b', 'a'), 'hello')
  })

  it('partitions a node until healed, and cuts its link until restored', async () => {
    const network = await NetnsNetwork.create(['a', 'b'])
    networks.push(network)
    await network.partition('b')
    assert.equal(await probe(network, 'a', 'b'), 'TIMEOUT')
    await network.heal('b')
    assert.equal(await probe(network, 'a', 'b'), 'hello')
    await network.cutLink('a')
    assert.match(await probe(network, 'a', 'b'), /^(ENETUNREACH|TIMEOUT)$/)
    await network.restoreLink('a')
    assert.equal(await probe(network, 'a', 'b'), 'hello')
  })

  it('shapes a link with tbf on both veth ends and an nftables numgen drop rule, and takes it off again', async () => {
    const network = await NetnsNetwork.create(['a'])
    networks.push(network)
    await network.shapeLink('a', { rateMbit: 10, dropPercent: 1 })
    const qdisc = (await run('tc', ['-n', network.namespace('a'), 'qdisc', 'show', 'dev', 'eth0'])).stdout
    assert.match(qdisc, /tbf .*rate 10Mbit/)
    assert.match((await run('tc', ['-n', `${network.prefix}-hub`, 'qdisc', 'show', 'dev', 'v0'])).stdout, /tbf .*rate 10Mbit/)
    const rules = (await run('ip', ['netns', 'exec', network.namespace('a'), 'nft', 'list', 'ruleset'])).stdout
    assert.match(rules, /numgen random mod 100 < 1 drop/)
    await network.unshapeLink('a')
    assert.doesNotMatch((await run('tc', ['-n', network.namespace('a'), 'qdisc', 'show', 'dev', 'eth0'])).stdout, /tbf/)
    assert.doesNotMatch((await run('ip', ['netns', 'exec', network.namespace('a'), 'nft', 'list', 'ruleset'])).stdout, /numgen/)
  })

  it('tears down every namespace and kills what still runs inside, once, whatever was left', async () => {
    const network = await NetnsNetwork.create(['a', 'b'])
    const leftover = spawn('ip', ['netns', 'exec', network.namespace('a'), 'sleep', '600'], { stdio: 'ignore' })
    const exited = new Promise(resolve => leftover.once('exit', resolve))
    await new Promise(resolve => setTimeout(resolve, 200))
    await network.destroy()
    await network.destroy()
    assert.equal(await exited, null)
    assert.deepEqual((await namespaces()).filter(name => name.startsWith(network.prefix)), [])
  })
})
