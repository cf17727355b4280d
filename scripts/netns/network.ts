// A private network of Linux network namespaces, one per node, joined by veth pairs to a bridge in a hub namespace.
//
// Layout, for nodes 0..N-1 under a unique prefix P (fedagg-<random hex>):
//   namespace P-hub:  bridge br0, with veth ends v0..vN-1 attached
//   namespace P-n<i>: eth0 (the other end of v<i>), address 10.77.0.<10+i>/24, and lo
// Nothing is created in the caller's own namespace: no interface, route or rule there changes, the
// subnet never meets the host's, and two runs (or a run's leftovers) share only the prefix scheme,
// never a name. Deleting the namespaces deletes everything in them, veths and bridge included.
import { execFile, execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { promisify } from 'node:util'
import { FedaggError } from '../../protocol/errors.ts'

const run = promisify(execFile)

/** The nodes' subnet; private to this run's namespaces, so it cannot clash with the host's addresses. */
const SUBNET = '10.77.0'
/** Host part of node 0; .1 to .9 are left unused. */
const FIRST_HOST = 10
/** Every command is a local netlink or nftables call: well under a second unless the machine is stuck. */
const COMMAND_TIMEOUT_MS = 30_000
/**
 * tbf bucket: 20 ms worth of the rate (25 kB at 10 Mbit/s), and at least two full-size frames
 * (tbf segments GSO super-packets to fit it). Larger, and a slow link would pass a whole small
 * upload in one burst; smaller, and a fast link could not reach its rate at the kernel's timer tick.
 */
const TBF_BURST_SECONDS = 0.02
const TBF_MIN_BURST_BYTES = 3_000
/** tbf queue: absorbs a TCP window's burst without hiding the rate. */
const TBF_LATENCY = '200ms'
/** nftables tables this harness adds inside node namespaces. */
const LOSS_TABLE = 'fedagg_loss'
const PARTITION_TABLE = 'fedagg_partition'

/** An ip, tc or nft command failed; the message quotes the command and its stderr. */
export class NetnsCommandError extends FedaggError {
  static override name = 'NetnsCommandError'
}

/**
 * Why this machine cannot run the harness, or undefined when it can: it needs root (namespaces,
 * qdiscs and nftables are privileged), iproute2's `ip` and `tc`, and `nft`. Probes by creating and
 * deleting a throwaway namespace, since a container may run as root without CAP_SYS_ADMIN.
 */
export async function netnsUnavailableReason (): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces, tc and nftables are privileged); CI runs it as root'
  for (const tool of ['ip', 'tc', 'nft']) {
    try {
      await run(tool, ['-V'], { timeout: COMMAND_TIMEOUT_MS })
    } catch {
      return `\`${tool}\` is missing: install iproute2 and nftables (npm run setup:test)`
    }
  }
  const probe = `fedagg-probe-${randomBytes(3).toString('hex')}`
  try {
    await run('ip', ['netns', 'add', probe], { timeout: COMMAND_TIMEOUT_MS })
  } catch (err) {
    return `cannot create a network namespace: ${(err as Error).message.trim()}`
  }
  await run('ip', ['netns', 'del', probe], { timeout: COMMAND_TIMEOUT_MS }).catch(() => {})
  return undefined
}

export interface LinkShape {
  /** tbf rate in Mbit/s, each direction of every link. */
  rateMbit: number
  /** Percent of packets dropped, each direction of every link (nftables numgen random). */
  dropPercent: number
}

export interface LinkCounters {
  txBytes: number
  rxBytes: number
}

export class NetnsNetwork {
  /** Unique per run: every namespace name starts with it. */
  readonly prefix: string
  readonly nodes: readonly string[]
  readonly #hub: string
  #destroyed = false
  readonly #onExit = (): void => { this.destroySync() }

  private constructor (prefix: string, nodes: readonly string[]) {
    this.prefix = prefix
    this.nodes = nodes
    this.#hub = `${prefix}-hub`
  }

  /**
   * Builds the network for `nodes` (names for messages and lookups; node i gets address
   * 10.77.0.<10+i>). A failure half-way tears down what was built before rethrowing, and a
   * process 'exit' hook tears it down if the caller never gets to destroy() it.
   */
  static async create (nodes: readonly string[]): Promise<NetnsNetwork> {
    if (nodes.length === 0 || nodes.length > 200) throw new RangeError(`nodes: expected 1 to 200 names, got ${nodes.length}`)
    if (new Set(nodes).size !== nodes.length) throw new RangeError('nodes: expected distinct names')
    const network = new NetnsNetwork(`fedagg-${randomBytes(3).toString('hex')}`, nodes)
    process.once('exit', network.#onExit)
    try {
      await network.#build()
    } catch (err) {
      await network.destroy()
      throw err
    }
    return network
  }

  /** The namespace node `name` runs in. */
  namespace (name: string): string {
    return `${this.prefix}-n${this.#index(name)}`
  }

  address (name: string): string {
    return `${SUBNET}.${FIRST_HOST + this.#index(name)}`
  }

  /** Prefix for a command that runs inside node `name`'s namespace (`ip netns exec` execs it: same pid). */
  exec (name: string): string[] {
    return ['ip', 'netns', 'exec', this.namespace(name)]
  }

  /** Takes node `name`'s interface down: its packets stop at once, and its connections stall until they time out. */
  async cutLink (name: string): Promise<void> {
    await ip(['-n', this.namespace(name), 'link', 'set', 'eth0', 'down'])
  }

  async restoreLink (name: string): Promise<void> {
    await ip(['-n', this.namespace(name), 'link', 'set', 'eth0', 'up'])
  }

  /**
   * Drops every packet in and out of node `name`'s eth0 (its own loopback, and so its control API,
   * still works): the others see it go silent, as in a partition, not a closed connection.
   */
  async partition (name: string): Promise<void> {
    await nft(this.namespace(name), [
      `table inet ${PARTITION_TABLE} {`,
      '  chain in { type filter hook input priority -10; iifname "eth0" drop; }',
      '  chain out { type filter hook output priority -10; oifname "eth0" drop; }',
      '}'
    ])
  }

  async heal (name: string): Promise<void> {
    await nft(this.namespace(name), [`delete table inet ${PARTITION_TABLE}`])
  }

  /** shapeLink() for every node's link. */
  async shapeAll (shape: LinkShape): Promise<void> {
    await Promise.all(this.nodes.map(async name => { await this.shapeLink(name, shape) }))
  }

  /**
   * Caps both directions of node `name`'s link at `rateMbit` (tbf on each veth end: the node's
   * eth0 shapes its uploads, the hub's v<i> its downloads) and drops `dropPercent` of the packets in
   * each direction with an nftables `numgen random mod 100 < p` rule in the node's namespace.
   */
  async shapeLink (name: string, shape: LinkShape): Promise<void> {
    if (!(shape.rateMbit > 0)) throw new RangeError(`rateMbit: expected > 0, got ${shape.rateMbit}`)
    if (!Number.isInteger(shape.dropPercent) || shape.dropPercent < 0 || shape.dropPercent > 100) {
      throw new RangeError(`dropPercent: expected an integer in [0, 100], got ${shape.dropPercent}`)
    }
    const namespace = this.namespace(name)
    const burst = Math.max(TBF_MIN_BURST_BYTES, Math.round(shape.rateMbit * 1e6 / 8 * TBF_BURST_SECONDS))
    const tbf = ['root', 'tbf', 'rate', `${shape.rateMbit}mbit`, 'burst', String(burst), 'latency', TBF_LATENCY]
    await tc(['-n', namespace, 'qdisc', 'replace', 'dev', 'eth0', ...tbf])
    await tc(['-n', this.#hub, 'qdisc', 'replace', 'dev', `v${this.#index(name)}`, ...tbf])
    if (shape.dropPercent > 0) {
      const drop = `numgen random mod 100 < ${shape.dropPercent} drop`
      await nft(namespace, [
        `table inet ${LOSS_TABLE} {`,
        `  chain in { type filter hook input priority 0; iifname "eth0" ${drop}; }`,
        `  chain out { type filter hook output priority 0; oifname "eth0" ${drop}; }`,
        '}'
      ])
    }
  }

  /** Takes node `name`'s shaping off again: no rate cap, no loss. */
  async unshapeLink (name: string): Promise<void> {
    const namespace = this.namespace(name)
    await tc(['-n', namespace, 'qdisc', 'del', 'dev', 'eth0', 'root']).catch(() => {})
    await tc(['-n', this.#hub, 'qdisc', 'del', 'dev', `v${this.#index(name)}`, 'root']).catch(() => {})
    // `delete` fails when there is no loss rule (nft 1.0.6 has no `destroy`): nothing to take off then.
    await nft(namespace, [`delete table inet ${LOSS_TABLE}`]).catch(() => {})
  }

  /** Bytes node `name` has sent and received on its link so far. */
  async counters (name: string): Promise<LinkCounters> {
    const { stdout } = await run('ip', ['-n', this.namespace(name), '-s', '-j', 'link', 'show', 'eth0'], { timeout: COMMAND_TIMEOUT_MS })
    const [link] = JSON.parse(stdout) as Array<{ stats64: { tx: { bytes: number }, rx: { bytes: number } } }>
    if (link === undefined) throw new NetnsCommandError(`${name}: eth0 not found`)
    return { txBytes: link.stats64.tx.bytes, rxBytes: link.stats64.rx.bytes }
  }

  /**
   * Kills whatever still runs in the namespaces (a namespace with a process in it outlives its
   * deletion) and deletes them, which deletes their links and rules. Idempotent; never throws.
   */
  async destroy (): Promise<void> {
    if (this.#destroyed) return
    this.#destroyed = true
    process.off('exit', this.#onExit)
    for (const namespace of this.#namespaces()) {
      const { stdout } = await run('ip', ['netns', 'pids', namespace], { timeout: COMMAND_TIMEOUT_MS }).catch(() => ({ stdout: '' }))
      for (const pid of stdout.split('\n').map(Number).filter(pid => pid > 0)) killQuietly(pid)
      await run('ip', ['netns', 'del', namespace], { timeout: COMMAND_TIMEOUT_MS }).catch(() => {})
    }
  }

  /** destroy() for the process 'exit' hook, where nothing asynchronous runs any more. */
  destroySync (): void {
    if (this.#destroyed) return
    this.#destroyed = true
    for (const namespace of this.#namespaces()) {
      try {
        const pids = execFileSync('ip', ['netns', 'pids', namespace], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
        for (const pid of pids.split('\n').map(Number).filter(pid => pid > 0)) killQuietly(pid)
        execFileSync('ip', ['netns', 'del', namespace], { stdio: 'ignore' })
      } catch {}
    }
  }

  async #build (): Promise<void> {
    await ip(['netns', 'add', this.#hub])
    await ip(['-n', this.#hub, 'link', 'add', 'br0', 'type', 'bridge'])
    await ip(['-n', this.#hub, 'link', 'set', 'br0', 'up'])
    for (const [i, name] of this.nodes.entries()) {
      const namespace = this.namespace(name)
      await ip(['netns', 'add', namespace])
      // Created inside the hub with its peer moved straight into the node's namespace: neither end
      // ever exists in ours, so interface names cannot collide with the host's or another run's.
      await ip(['-n', this.#hub, 'link', 'add', `v${i}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', namespace])
      await ip(['-n', this.#hub, 'link', 'set', `v${i}`, 'master', 'br0', 'up'])
      await ip(['-n', namespace, 'addr', 'add', `${this.address(name)}/24`, 'dev', 'eth0'])
      await ip(['-n', namespace, 'link', 'set', 'eth0', 'up'])
      await ip(['-n', namespace, 'link', 'set', 'lo', 'up'])
    }
  }

  #namespaces (): string[] {
    return [...this.nodes.map(name => this.namespace(name)), this.#hub]
  }

  #index (name: string): number {
    const index = this.nodes.indexOf(name)
    if (index < 0) throw new RangeError(`no node named ${name} in this network`)
    return index
  }
}

async function ip (args: string[]): Promise<void> {
  await command('ip', args)
}

async function tc (args: string[]): Promise<void> {
  await command('tc', args)
}

/** Loads an nftables script (`nft -f -`) inside `namespace`. */
async function nft (namespace: string, lines: string[]): Promise<void> {
  await command('ip', ['netns', 'exec', namespace, 'nft', '-f', '-'], lines.join('\n') + '\n')
}

async function command (file: string, args: string[], input?: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = execFile(file, args, { timeout: COMMAND_TIMEOUT_MS }, (err, _stdout, stderr) => {
      if (err === null) resolve()
      else reject(new NetnsCommandError(`\`${file} ${args.join(' ')}\` failed: ${stderr.trim() || err.message}`))
    })
    // A command that exits without reading its stdin must not fail the call with EPIPE.
    child.stdin?.on('error', () => {})
    child.stdin?.end(input ?? '')
  })
}

function killQuietly (pid: number): void {
  try {
    process.kill(pid, 'SIGKILL')
  } catch {}
}
