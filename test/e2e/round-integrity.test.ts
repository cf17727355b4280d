// Round integrity on real nodes: a dishonest aggregator built from the project's own parts cannot get
// anything but the listed contributors' sum decrypted, and no client is told it was counted when it was not.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import type { Stream } from '@libp2p/interface'
import { CiphertextAccumulator } from '../../protocol/aggregate/index.ts'
import { AGGREGATE_STATUS, PROTOCOLS, WIRE, encodeFederationEvent, federationTopic } from '../../protocol/messages/index.ts'
import type { AggregateResponseHeader, Contribution, Transcript } from '../../protocol/messages/index.ts'
import { decodeCiphertexts, encodeCiphertexts, encryptOneOff, rerandomize } from '../../protocol/paillier/index.ts'
import { signTranscript } from '../../protocol/round/index.ts'
import { loadIdentity } from '../../node/identity.ts'
import { openStore } from '../../node/store/index.ts'
import type { RoundResultView } from '../../node/api.ts'
import type { RunningNode } from '../../node/running-node.ts'
import { ciphertextDigest, planCiphertextChunks, sendCiphertexts } from '../../node/streams/ciphertext-transfer.ts'
import { FramedStream } from '../../node/streams/framed-stream.ts'
import { startFederation, waitUntil } from '../helpers/federation.ts'
import type { TestFederation } from '../helpers/federation.ts'
import { announcedRound, countableSubmission, counterValue, sendSubmission } from '../helpers/hostile-peer.ts'
import type { AnnouncedRound } from '../helpers/hostile-peer.ts'

const LENGTH = 4
/** Distinctive values (7 digits) so that a leak into a published reason cannot hide among small numbers. */
const VICTIM_VALUES = [1_234_567, 7_654_321, 2_345_678, 8_765_432]

/** One client's stored submission, as the aggregator holds it. */
interface HeldSubmission {
  contribution: Contribution
  ciphertexts: bigint[]
}

/** What the forger builds from the genuine round: the aggregate it releases and the contributors it lists. */
interface Forgery {
  ciphertexts: bigint[]
  contributors: Contribution[]
}

describe('round integrity against a dishonest aggregator', function () {
  this.timeout(180_000)
  let federation: TestFederation
  let victim: RunningNode
  let others: RunningNode[]
  /** Every round's stored submissions, by round id then client, as the aggregator keeps them. */
  const held = new Map<string, Map<string, HeldSubmission>>()

  before(async () => {
    federation = await startFederation({ clients: 3 })
    ;[victim, ...others] = federation.clients as [RunningNode, ...RunningNode[]]
  })
  after(async () => { await federation?.stop() })

  async function openRound (): Promise<AnnouncedRound> {
    const { roundId } = await federation.coordinator.openRound({ length: LENGTH, encoding: 'int:32', minParticipants: 3, deadlineSeconds: 30 })
    const [round] = await Promise.all(federation.clients.map(async client => announcedRound(client, roundId)))
    return round!
  }

  /** The aggregator's stored submissions of a released round, read from its node.db. */
  function heldSubmissions (round: AnnouncedRound): Map<string, HeldSubmission> {
    const { roundId } = round.announcement
    const store = openStore(join(federation.aggregator.dataDir, 'node.db'))
    try {
      const closing = store.rounds.closing(roundId)
      const transcript = WIRE.Transcript.decode(WIRE.SignedPayload.decode(closing!.signedTranscript).payload)
      const submissions = new Map([...store.submissions.forRound(roundId)].map(s => [s.client, decodeCiphertexts(round.publicKey, s.ciphertexts)]))
      return new Map(transcript.contributors.map(contribution => [contribution.client, { contribution, ciphertexts: submissions.get(contribution.client)! }]))
    } finally {
      store.close()
    }
  }

  /**
   * Replaces the aggregator's answer to /fedagg/aggregate/1.0.0 (libp2p middleware runs before its
   * handler) with `forge`'s aggregate and a transcript listing `forge`'s contributors, re-randomized
   * and signed with the aggregator's own key: everything an honest aggregator's answer is, but for
   * what it sums. Returns a function that removes it.
   */
  async function dishonestAggregator (round: AnnouncedRound, forge: (genuine: Map<string, HeldSubmission>) => Forgery): Promise<() => void> {
    const { aggregator } = federation
    const key = await loadIdentity(aggregator.dataDir)
    aggregator.libp2p.use(PROTOCOLS.aggregate, (stream: Stream) => {
      void (async () => {
        const signal = AbortSignal.timeout(30_000)
        const framed = new FramedStream(stream, WIRE.AggregateRequest.maxDataLength)
        const request = await framed.read(WIRE.AggregateRequest, { signal })
        const store = openStore(join(aggregator.dataDir, 'node.db'))
        const closing = store.rounds.closing(request.roundId)
        store.close()
        if (closing?.aggregate === undefined || request.roundId !== round.announcement.roundId) {
          await framed.write(WIRE.AggregateResponseHeader, { status: AGGREGATE_STATUS.pending } as AggregateResponseHeader, { signal })
          await stream.close({ signal })
          return
        }
        const genuine = heldSubmissions(round)
        held.set(request.roundId, genuine)
        const forgery = forge(genuine)
        const bytes = Uint8Array.from(encodeCiphertexts(round.publicKey, forgery.ciphertexts.map(c => rerandomize(round.publicKey, c))))
        const honest = WIRE.Transcript.decode(WIRE.SignedPayload.decode(closing.signedTranscript).payload)
        const transcript: Transcript = { ...honest, contributors: forgery.contributors.map((c, index) => ({ ...c, index })), aggregateDigest: ciphertextDigest(bytes) }
        const chunks = planCiphertextChunks(round.plan.ciphertexts, round.ciphertextWidth, 64)
        await framed.write(WIRE.AggregateResponseHeader, {
          status: AGGREGATE_STATUS.ready,
          transcript: await signTranscript(key, transcript),
          ciphertextCount: round.plan.ciphertexts,
          ciphertextWidth: round.ciphertextWidth,
          chunkCount: chunks.length,
          errorName: '',
          errorMessage: ''
        }, { signal })
        await sendCiphertexts(framed, bytes, round.ciphertextWidth, chunks, signal)
        await stream.close({ signal })
      })().catch(err => { stream.abort(err as Error) })
    })
    return () => { aggregator.libp2p.unuse(PROTOCOLS.aggregate) }
  }

  /** Everyone submits honestly; the forged aggregate goes to the coordinator. Returns the published result. */
  async function runForgedRound (round: AnnouncedRound, forge: (genuine: Map<string, HeldSubmission>) => Forgery): Promise<RoundResultView> {
    const { roundId } = round.announcement
    const restore = await dishonestAggregator(round, forge)
    try {
      await victim.submit(VICTIM_VALUES, { roundId })
      await Promise.all(others.map(async (client, i) => client.submit([i + 1, i + 2, i + 3, i + 4], { roundId })))
      return await federation.coordinator.waitForResult(roundId, { signal: AbortSignal.timeout(60_000) })
    } finally {
      restore()
    }
  }

  /** The round is corrupt everywhere, nothing is published, and no client believes it was counted. */
  async function assertNothingReleased (round: AnnouncedRound, result: RoundResultView, reason: RegExp): Promise<void> {
    const { roundId } = round.announcement
    assert.equal(result.status, 'corrupt', result.reason)
    assert.deepEqual([result.sum, result.mean], [[], []], 'no values of a corrupt round are published')
    assert.match(result.reason ?? '', reason)
    assertNoVictimDigits(result.reason ?? '')
    assert.equal((await federation.coordinator.round(roundId))?.status, 'corrupt')
    for (const client of federation.clients) {
      const published = await client.waitForResult(roundId, { signal: AbortSignal.timeout(30_000) })
      assert.deepEqual([published.status, published.sum], ['corrupt', []])
      // The aggregator's own gossip lists every client; only the decrypted result could count it.
      await waitUntil(async () => (await client.round(roundId))?.counted !== undefined, `${client.peerId} to judge round ${roundId}`)
      assert.equal((await client.round(roundId))?.counted, false, `${client.peerId} must not believe it was counted`)
    }
  }

  /** The slot position of the count slot: ciphertext index and bit offset in its plaintext. */
  function countSlotAt (round: AnnouncedRound): { ciphertext: number, shift: bigint } {
    const { plan } = round
    return {
      ciphertext: Math.floor(plan.countSlot / plan.slotsPerCiphertext),
      shift: BigInt(plan.tagSlotBits + (plan.countSlot % plan.slotsPerCiphertext) * plan.slotBits)
    }
  }

  /** Multiplies submissions ciphertext by ciphertext (adds their plaintexts), plus E(extra[j]) where given. */
  function product (round: AnnouncedRound, submissions: bigint[][], extra: Map<number, bigint> = new Map()): bigint[] {
    const accumulator = new CiphertextAccumulator(round.publicKey.nSquared, round.plan.ciphertexts)
    for (const ciphertexts of submissions) accumulator.add(ciphertexts)
    return accumulator.value().map((c, j) => extra.has(j) ? (c * encryptOneOff(round.publicKey, extra.get(j)!)) % round.publicKey.nSquared : c)
  }

  const listed = (genuine: Map<string, HeldSubmission>): Contribution[] => [...genuine.values()].map(s => s.contribution)
  const of = (genuine: Map<string, HeldSubmission>, node: RunningNode): bigint[] => genuine.get(node.peerId)!.ciphertexts

  it('marks corrupt a victim\'s vector released with a forged count slot and a transcript of real clients', async () => {
    const round = await openRound()
    const { ciphertext, shift } = countSlotAt(round)
    // Issue 7, Why 1: the victim's ciphertexts with count += 2, listed as a sum over all three.
    const result = await runForgedRound(round, genuine => ({
      ciphertexts: product(round, [of(genuine, victim)], new Map([[ciphertext, 2n << shift]])),
      contributors: listed(genuine)
    }))
    await assertNothingReleased(round, result, /TagCheckError: ciphertext \d+: tag slot failed tag-sum check/)
  })

  it('marks corrupt an aggregate that replays the victim\'s ciphertexts from an earlier round', async () => {
    const earlier = [...held.entries()].find(([, genuine]) => genuine.has(victim.peerId))
    assert.ok(earlier !== undefined, 'an earlier round of this suite kept the victim\'s submission')
    const oldVictim = earlier[1].get(victim.peerId)!.ciphertexts
    const round = await openRound()
    const result = await runForgedRound(round, genuine => ({
      ciphertexts: product(round, [oldVictim, ...others.map(node => of(genuine, node))]),
      contributors: listed(genuine)
    }))
    await assertNothingReleased(round, result, /TagCheckError/)
  })

  it('marks corrupt an aggregate that drops a listed contributor, even with the count slot made up', async () => {
    const round = await openRound()
    const { ciphertext, shift } = countSlotAt(round)
    const result = await runForgedRound(round, genuine => ({
      ciphertexts: product(round, [of(genuine, victim), of(genuine, others[0]!)], new Map([[ciphertext, 1n << shift]])),
      contributors: listed(genuine)
    }))
    await assertNothingReleased(round, result, /TagCheckError/)
  })

  it('marks corrupt an aggregate that includes a contributor twice in place of another', async () => {
    const round = await openRound()
    const result = await runForgedRound(round, genuine => ({
      ciphertexts: product(round, [of(genuine, victim), of(genuine, victim), of(genuine, others[0]!)]),
      contributors: listed(genuine)
    }))
    await assertNothingReleased(round, result, /TagCheckError/)
  })

  it('publishes no digit of the victim\'s values when its ciphertext is multiplied by E(guard bit)', async () => {
    const round = await openRound()
    const guard = 1n << BigInt(round.plan.tagSlotBits + round.plan.slotBits - 1)
    // Issue 7, Why 4: slot 0's guard bit set on top of the genuine sum, so the guard check fails.
    const result = await runForgedRound(round, genuine => ({
      ciphertexts: product(round, [...genuine.values()].map(s => s.ciphertexts), new Map([[0, guard]])),
      contributors: listed(genuine)
    }))
    await assertNothingReleased(round, result, /CorruptAggregateError: slot 0 failed guard-bit check/)
  })
})

describe('round integrity: defences that need an end-to-end test', function () {
  this.timeout(180_000)
  let federation: TestFederation

  before(async () => { federation = await startFederation({ clients: 3 }) })
  after(async () => { await federation?.stop() })

  async function openRound (): Promise<AnnouncedRound> {
    const { roundId } = await federation.coordinator.openRound({ length: LENGTH, encoding: 'int:32', minParticipants: 3, deadlineSeconds: 30 })
    const [round] = await Promise.all(federation.clients.map(async client => announcedRound(client, roundId)))
    return round!
  }

  it('marks corrupt a round whose count slot is short of the transcript, though every tag is right', async () => {
    const { coordinator, aggregator, clients } = federation
    const [hostile, ...honest] = clients as [RunningNode, ...RunningNode[]]
    const round = await openRound()
    const { roundId } = round.announcement
    const { plan } = round
    // A roster client's own submission with its count slot 0 but correct tags: the aggregator cannot tell.
    const countBit = 1n << BigInt(plan.tagSlotBits + (plan.countSlot % plan.slotsPerCiphertext) * plan.slotBits)
    const countCiphertext = Math.floor(plan.countSlot / plan.slotsPerCiphertext)
    const zeroCount = await countableSubmission(hostile, coordinator, round, [1, 2, 3, 4],
      plaintexts => plaintexts.map((p, j) => j === countCiphertext ? p - countBit : p))
    const outcome = await sendSubmission(hostile, aggregator, zeroCount)
    assert.ok(outcome.kind === 'answered' && outcome.response.accepted, 'the aggregator accepts it')
    await Promise.all(honest.map(async (client, i) => client.submit([i, i, i, i], { roundId })))
    const result = await coordinator.waitForResult(roundId, { signal: AbortSignal.timeout(60_000) })
    assert.equal(result.status, 'corrupt', result.reason)
    assert.deepEqual(result.sum, [])
    assert.match(result.reason ?? '', /count slot failed the count check/)
  })

  it('releases an aggregate unlinkable to the plain product of the submissions (re-randomized), which decrypts to the same sum', async () => {
    const { coordinator, aggregator, clients } = federation
    const round = await openRound()
    const { roundId } = round.announcement
    await Promise.all(clients.map(async (client, i) => client.submit([i, 10 * i, 100 * i, 1000 * i], { roundId })))
    const result = await coordinator.waitForResult(roundId, { signal: AbortSignal.timeout(60_000) })
    assert.equal(result.status, 'decrypted', result.reason)
    assert.deepEqual(result.sum, ['3', '30', '300', '3000'])
    const store = openStore(join(aggregator.dataDir, 'node.db'))
    try {
      const released = decodeCiphertexts(round.publicKey, store.rounds.closing(roundId)!.aggregate!)
      const accumulator = new CiphertextAccumulator(round.publicKey.nSquared, round.plan.ciphertexts)
      for (const submission of store.submissions.forRound(roundId)) accumulator.add(decodeCiphertexts(round.publicKey, submission.ciphertexts))
      const plain = accumulator.value()
      released.forEach((c, j) => { assert.notEqual(c, plain[j], `released ciphertext ${j} is the plain product of the submissions`) })
    } finally {
      store.close()
    }
  })

  it('a client left out of a transcript although it holds a receipt reports it was not counted, with an alarm', async () => {
    const { aggregator, clients } = federation
    const [left, ...rest] = clients as [RunningNode, ...RunningNode[]]
    const round = await openRound()
    const { roundId } = round.announcement
    const alarmsBefore = await counterValue(left, 'fedagg_client_alarms_total', { kind: 'omitted' })
    await left.submit([5, 5, 5, 5], { roundId })
    // The aggregator signs and gossips a released transcript without the acknowledged submission.
    const transcript: Transcript = {
      federationId: round.announcement.federationId,
      roundId,
      aggregator: aggregator.peerId,
      status: 'released',
      contributors: [],
      aggregateDigest: new Uint8Array(32),
      closedAtMs: Date.now(),
      reason: '',
      announcementHash: round.announcementHash,
      keyFingerprint: round.publicKey.fingerprint
    }
    const signed = await signTranscript(await loadIdentity(aggregator.dataDir), transcript)
    await aggregator.libp2p.services.pubsub.publish(federationTopic('test'), encodeFederationEvent('transcript', signed))
    await waitUntil(async () => (await left.round(roundId))?.alarm !== undefined, 'the left-out client to raise its alarm')
    const view = await left.round(roundId)
    assert.deepEqual([view?.counted, view?.alarm], [false, 'omitted'])
    assert.equal(await counterValue(left, 'fedagg_client_alarms_total', { kind: 'omitted' }), alarmsBefore + 1)
    // The others take the aggregator's signed word that the round was released: they send nothing
    // more to it, and the misrepresented client keeps its alarm.
    for (const client of rest) {
      await assert.rejects(client.submit([1, 1, 1, 1], { roundId }), { name: 'RoundNotOpenError' })
    }
    assert.deepEqual([(await left.round(roundId))?.counted, (await left.round(roundId))?.alarm], [false, 'omitted'])
  })
})

/** Fails if `text` contains any run of 4 digits from the victim's values. */
function assertNoVictimDigits (text: string): void {
  for (const value of VICTIM_VALUES) {
    const digits = String(value)
    for (let i = 0; i + 4 <= digits.length; i++) {
      assert.ok(!text.includes(digits.slice(i, i + 4)), `published reason "${text}" contains digits of the victim's value ${value}`)
    }
  }
}
