// End to end across hosts: a federation whose daemons each run in their own network namespace, joined by a
// bridge, survives a client's link cut mid-upload, an aggregator partitioned past the deadline, and slow lossy links.
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import type { ReceiptView } from '../../node/api.ts'
import type { ProcessNode } from '../../scripts/federation/process-federation.ts'
import { startNetnsFederation } from '../../scripts/netns/federation.ts'
import type { NetnsFederation } from '../../scripts/netns/federation.ts'
import { netnsUnavailableReason } from '../../scripts/netns/network.ts'

const CLIENTS = 5
/** The protocol's floor for a sum that hides each contributor. */
const QUORUM = 3
/** Short enough to keep the suite quick, long enough for five clients to encrypt on a loaded 2-core machine. */
const DEADLINE_SECONDS = 30
/** How long the coordinator keeps pulling past the deadline before it fails a round. */
const SETTLE_GRACE_SECONDS = 5

/** Client i's vector: i + 1 in every position, so the expected sum is easy to state. */
function vectorOf (client: number, length: number): number[] {
  return new Array<number>(length).fill(client + 1)
}

function expectedSum (clients: number[], length: number): string[] {
  return new Array<string>(length).fill(String(clients.reduce((sum, i) => sum + i + 1, 0)))
}

async function submitAll (clients: ProcessNode[], roundId: string, length: number): Promise<ReceiptView[]> {
  return Promise.all(clients.map(async (client, i) => client.control.submit(vectorOf(i, length), { roundId })))
}

describe('e2e: a federation across network namespaces', function () {
  // Start-up of seven daemons, and rounds that run to their deadline on purpose.
  this.timeout(240_000)
  let harness: NetnsFederation | undefined

  before(async function () {
    const reason = await netnsUnavailableReason()
    if (reason !== undefined) {
      console.log(`      skipped: the multi-host harness ${reason}`)
      this.skip()
    }
    harness = await startNetnsFederation({
      clients: CLIENTS,
      env: { coordinator: { FEDAGG_ROUND_SETTLE_GRACE_SECONDS: String(SETTLE_GRACE_SECONDS) } }
    })
  })

  after(async () => {
    await harness?.stop()
  })

  function federation (): NetnsFederation['federation'] { return harness!.federation }

  it('runs each node in its own namespace with its own address, and completes a round over the bridge', async () => {
    const { network } = harness!
    const addresses = federation().nodes.map(node => network.address(node.spec.name))
    assert.equal(new Set(addresses).size, federation().nodes.length)
    const status = await federation().aggregator.control.status()
    assert.ok(status.multiaddrs.some(address => address.includes(`/ip4/${network.address('aggregator')}/`)), status.multiaddrs.join(' '))

    const length = 100
    const round = await federation().openRound({ length, encoding: 'int:32', minParticipants: QUORUM, deadlineSeconds: DEADLINE_SECONDS })
    await submitAll(federation().clients, round.roundId, length)
    const result = await federation().result(round.roundId, DEADLINE_SECONDS + 60)
    assert.equal(result.status, 'decrypted', result.reason)
    assert.equal(result.contributors, CLIENTS)
    assert.deepEqual(result.sum, expectedSum([0, 1, 2, 3, 4], length))
  })

  it('drops a client whose link is cut mid-upload and completes the round by quorum', async () => {
    const { network } = harness!
    const cut = federation().clients[0]!
    const name = cut.spec.name
    // A slow link makes the upload last seconds, so it can be cut part-way: 2,000 int:32 values
    // are about 20 kB of ciphertexts at 2048 bits (38 of them, few enough to be encrypted at once,
    // without the worker pool), some 2.5 s at 64 kbit/s.
    const length = 2_000
    await network.shapeLink(name, { rateMbit: 0.064, dropPercent: 0 })
    try {
      const round = await federation().openRound({ length, encoding: 'int:32', minParticipants: QUORUM, deadlineSeconds: DEADLINE_SECONDS })
      const before = await network.counters(name)
      const cutSubmit = cut.control.submit(vectorOf(0, length), { roundId: round.roundId })
      cutSubmit.catch(() => {})
      // Cut once 5 kB of the upload (about a quarter of it) have left the client.
      let sent = 0
      while (sent < 5_000) {
        await sleep(50)
        sent = (await network.counters(name)).txBytes - before.txBytes
        assert.ok(Date.now() < round.deadlineMs, `${name} never started uploading (${sent} bytes sent)`)
      }
      await network.cutLink(name)
      const others = federation().clients.slice(1)
      await Promise.all(others.map(async (client, i) => client.control.submit(vectorOf(i + 1, length), { roundId: round.roundId })))

      const result = await federation().result(round.roundId, DEADLINE_SECONDS + 60)
      assert.equal(result.status, 'decrypted', result.reason)
      assert.equal(result.contributors, CLIENTS - 1)
      assert.deepEqual(result.sum, expectedSum([1, 2, 3, 4], length))
      await assert.rejects(cutSubmit, { name: 'SubmissionDeadlineError' })
    } finally {
      await network.restoreLink(name)
      await network.unshapeLink(name)
    }
  })

  it('fails a round cleanly when the aggregator is partitioned past the deadline, and completes the next once the link heals', async () => {
    const { network } = harness!
    const length = 100
    const round = await federation().openRound({ length, encoding: 'int:32', minParticipants: QUORUM, deadlineSeconds: DEADLINE_SECONDS })
    // Quorum is reached, but the round stays open for the other two until the deadline...
    await submitAll(federation().clients.slice(0, QUORUM), round.roundId, length)
    // ...which passes while the coordinator cannot reach the aggregator to pull the aggregate.
    await network.partition('aggregator')
    let healed = false
    try {
      const failed = await federation().result(round.roundId, DEADLINE_SECONDS + SETTLE_GRACE_SECONDS + 60)
      assert.equal(failed.status, 'failed')
      assert.match(failed.reason ?? '', /no usable aggregate/)
      assert.deepEqual(failed.sum, [])
      await network.heal('aggregator')
      healed = true

      const next = await federation().openRound({ length, encoding: 'int:32', minParticipants: QUORUM, deadlineSeconds: DEADLINE_SECONDS })
      await submitAll(federation().clients, next.roundId, length)
      const result = await federation().result(next.roundId, DEADLINE_SECONDS + 60)
      assert.equal(result.status, 'decrypted', result.reason)
      assert.deepEqual(result.sum, expectedSum([0, 1, 2, 3, 4], length))
    } finally {
      if (!healed) await network.heal('aggregator')
    }
  })

  it('completes a round with every link capped at 10 Mbit/s and dropping 1% of packets, and reports its time', async () => {
    const { network } = harness!
    // 10,000 int:32 values: about 95 kB of ciphertexts per client, half a megabyte into the aggregator's link.
    const length = 10_000
    await network.shapeAll({ rateMbit: 10, dropPercent: 1 })
    try {
      const started = performance.now()
      const round = await federation().openRound({ length, encoding: 'int:32', minParticipants: QUORUM, deadlineSeconds: DEADLINE_SECONDS * 4 })
      await submitAll(federation().clients, round.roundId, length)
      const result = await federation().result(round.roundId, DEADLINE_SECONDS * 4 + 60)
      const seconds = (performance.now() - started) / 1000
      console.log(`      ${CLIENTS} clients x ${length} int:32 values over 10 Mbit/s links with 1% loss: ${seconds.toFixed(1)} s from open to result`)
      assert.equal(result.status, 'decrypted', result.reason)
      assert.equal(result.contributors, CLIENTS)
      assert.deepEqual(result.sum, expectedSum([0, 1, 2, 3, 4], length))
    } finally {
      await Promise.all(federation().nodes.map(async node => { await network.unshapeLink(node.spec.name) }))
    }
  })
})
