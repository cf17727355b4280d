// Hostile roster members against a live federation: each attack gets a typed refusal or a stream reset, nothing
// reaches an aggregate, resident memory stays bounded, and the same nodes go on serving honest clients exactly.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { Stream } from '@libp2p/interface'
import { DOMAINS, MAX_CHUNK_CIPHERTEXT_BYTES, PROTOCOLS, TRANSCRIPT_STATUS, WIRE, encodeFederationEvent, federationTopic } from '../../protocol/messages/index.ts'
import type { SignedPayload, SubmissionHeader } from '../../protocol/messages/index.ts'
import { encodeAndPack } from '../../protocol/encoding/index.ts'
import { encodeCiphertexts } from '../../protocol/paillier/index.ts'
import { signMessage, signPayload } from '../../protocol/signing/index.ts'
import { loadIdentity } from '../../node/identity.ts'
import { openStore } from '../../node/store/index.ts'
import { FramedStream } from '../../node/streams/framed-stream.ts'
import type { RunningNode } from '../../node/running-node.ts'
import { nodeConfig, startFederation, waitUntil } from '../helpers/federation.ts'
import type { TestFederation } from '../helpers/federation.ts'
import {
  ATTACKER_PATIENCE_MS, announcedRound, buildSubmission, countableSubmission, counterValue, encryptPlaintexts, inboundStreams, openSubmitStream,
  publishAs, sendRaw, sendSubmission, submitStreamOutcome, varint, withCiphertextBytes, withStatement
} from '../helpers/hostile-peer.ts'
import type { AnnouncedRound, BuiltSubmission, StreamOutcome } from '../helpers/hostile-peer.ts'

/**
 * The aggregator's per-read deadline: short, so that stalled streams are reset within the test, yet
 * long enough that the attacks that must land while stalled streams still hold their slots (a few
 * milliseconds on an idle machine) do so with a wide margin on a loaded one.
 */
const READ_DEADLINE_MS = 4_000
/** The aggregator's cap on concurrent inbound submit streams per connection. */
const SUBMIT_STREAM_LIMIT = 4
/** 200 int:32 values pack into 4 ciphertexts of 512 bytes under the 2048-bit fixture key. */
const VECTOR_LENGTH = 200
/** Generous bound on the whole process's RSS growth: the federation's five nodes all run in this process. */
const RSS_GROWTH_LIMIT = 200 * 2 ** 20
const MiB = 2 ** 20

describe('hostile peers', function () {
  this.timeout(120_000)
  let federation: TestFederation
  let coordinator: RunningNode
  let aggregator: RunningNode
  /** An admitted, eligible client driven by hand. */
  let hostile: RunningNode
  let honest: RunningNode[]
  let rssBaseline: number

  before(async () => {
    // The harness's own test limits, with a short read deadline and a tight submit stream cap.
    const { limits } = nodeConfig('', ['aggregator'])
    federation = await startFederation({
      clients: 3,
      aggregatorOverrides: {
        limits: {
          ...limits,
          streamTimeoutMs: READ_DEADLINE_MS,
          maxInboundStreams: { ...limits.maxInboundStreams, submit: SUBMIT_STREAM_LIMIT }
        }
      }
    })
    ;({ coordinator, aggregator } = federation)
    ;[hostile, ...honest] = federation.clients as [RunningNode, ...RunningNode[]]
    rssBaseline = process.memoryUsage().rss
  })
  after(async () => { await federation?.stop() })

  /** Opens a round of VECTOR_LENGTH int:32 values in which every one of `eligible` must take part. */
  async function openRound (eligible: RunningNode[]): Promise<AnnouncedRound> {
    const { roundId } = await coordinator.openRound({
      length: VECTOR_LENGTH,
      encoding: 'int:32',
      minParticipants: eligible.length,
      deadlineSeconds: 30,
      eligible: eligible.map(node => node.peerId)
    })
    const [round] = await Promise.all(eligible.map(async node => announcedRound(node, roundId)))
    return round!
  }

  /**
   * Every node of `contributions` submits its vector through the ordinary client path; the
   * decrypted result must be the exact sum of those vectors and of `alreadyIn` (hand-sent, accepted).
   */
  async function expectExactSum (round: AnnouncedRound, contributions: Array<[RunningNode, number[]]>, alreadyIn: number[][] = []): Promise<void> {
    const { roundId } = round.announcement
    await Promise.all(contributions.map(async ([node, values]) => node.submit(values, { roundId })))
    const result = await coordinator.waitForResult(roundId, { signal: AbortSignal.timeout(30_000) })
    assert.equal(result.status, 'decrypted', result.reason)
    assert.equal(result.contributors, contributions.length + alreadyIn.length)
    assert.deepEqual(result.sum, sumOf([...contributions.map(([, values]) => values), ...alreadyIn]))
  }

  function assertRssBounded (during: string): void {
    const growth = process.memoryUsage().rss - rssBaseline
    assert.ok(growth < RSS_GROWTH_LIMIT, `${during}: RSS grew by ${(growth / MiB).toFixed(1)} MiB, expected under ${RSS_GROWTH_LIMIT / MiB} MiB`)
  }

  it('resets a stream whose length prefix claims more than the read allows, without buffering the claim', async () => {
    const round = await openRound([hostile, ...honest])
    const valid = buildSubmission(round, vector(1))
    const junk = new Uint8Array(64 * 1024).fill(0x42)
    const tooLong = 'InvalidDataLengthError'
    // A prefix with more bytes than the largest allowed length needs is refused before it is even decoded.
    const tooManyBytes = 'InvalidDataLengthLengthError'
    const claims: Array<[string, string, (stream: Stream, send: (bytes: Uint8Array) => Promise<void>) => Promise<void>]> = [
      ['a header of 4 GiB', tooManyBytes, async (_, send) => { await send(varint(2 ** 32)); await send(junk) }],
      ['a header of 2^53 - 1 bytes', tooManyBytes, async (_, send) => { await send(varint(Number.MAX_SAFE_INTEGER)); await send(junk) }],
      ['a header one byte over its bound', tooLong, async (_, send) => { await send(varint(WIRE.SubmissionHeader.maxDataLength + 1)); await send(junk) }],
      ['a chunk of 1 GiB after a valid header', tooManyBytes, async (stream, send) => { await sendHeader(stream, valid); await send(varint(2 ** 30)); await send(junk) }],
      // The chunk bound is the protocol's MAX_CHUNK_CIPHERTEXT_BYTES plus 32 bytes of protobuf framing.
      ['a chunk one byte over its bound', tooLong, async (stream, send) => { await sendHeader(stream, valid); await send(varint(MAX_CHUNK_CIPHERTEXT_BYTES + 33)); await send(junk) }],
      // A varint whose continuation bit never clears: 4 MiB of 0xff, a length prefix that never ends.
      ['a length prefix that never ends', tooManyBytes, async (_, send) => { await send(new Uint8Array(4 * MiB).fill(0xff)) }]
    ]
    for (const [claim, reason, attack] of claims) {
      const before = await counterValue(aggregator, 'fedagg_submissions_rejected_total', { reason })
      const outcome = await submitStreamOutcome(hostile, aggregator, async (stream, _framed, signal) => attack(stream, async bytes => sendRaw(stream, bytes, signal)))
      assertReset(outcome, claim)
      // The prefix alone decides: the reset is counted under the length error, not as a read deadline (TimeoutError).
      assert.equal(await counterValue(aggregator, 'fedagg_submissions_rejected_total', { reason }), before + 1, `${claim} should add one rejection for ${reason}`)
    }
    assertRssBounded('after length prefixes claiming 2^53 bytes and one that never ends')
    await expectExactSum(round, [[hostile, vector(1)], [honest[0]!, vector(2)], [honest[1]!, vector(3)]])
  })

  it('resets truncated frames, and refuses a frame whose protobuf is cut short with MalformedMessageError', async () => {
    const round = await openRound([hostile, ...honest])
    const valid = buildSubmission(round, vector(4))
    const header = WIRE.SubmissionHeader.encode(valid.header)
    const firstChunk = WIRE.CiphertextChunk.encode({ index: 0, ciphertexts: valid.bytes.subarray(0, round.ciphertextWidth) })
    const eofBefore = await counterValue(aggregator, 'fedagg_submissions_rejected_total', { reason: 'UnexpectedEOFError' })
    const truncations: Array<[string, (stream: Stream, signal: AbortSignal) => Promise<void>]> = [
      ['a header frame cut short', async (stream, signal) => { await sendRaw(stream, concat(varint(header.length), header.subarray(0, 10)), signal) }],
      ['a chunk frame cut short', async (stream, signal) => {
        await sendHeader(stream, valid)
        await sendRaw(stream, concat(varint(firstChunk.length), firstChunk.subarray(0, firstChunk.length / 2)), signal)
      }],
      ['two of four chunks', async (stream, signal) => {
        await sendHeader(stream, valid)
        await sendRaw(stream, concat(varint(firstChunk.length), firstChunk, lengthPrefixed(WIRE.CiphertextChunk.encode({
          index: 1, ciphertexts: valid.bytes.subarray(round.ciphertextWidth, 2 * round.ciphertextWidth)
        }))), signal)
      }]
    ]
    for (const [truncation, attack] of truncations) {
      // The peer closes its side mid-frame: the aggregator reads end-of-stream where bytes were due.
      const outcome = await submitStreamOutcome(hostile, aggregator, async (stream, _framed, signal) => {
        await attack(stream, signal)
        await stream.close({ signal })
      })
      assertReset(outcome, truncation)
    }
    assert.equal(await counterValue(aggregator, 'fedagg_submissions_rejected_total', { reason: 'UnexpectedEOFError' }), eofBefore + truncations.length)

    // Well framed, but the protobuf inside ends mid-field: a typed refusal, not a reset.
    const malformed: Array<[string, Uint8Array]> = [
      ['header', lengthPrefixed(header.subarray(0, header.length - 5))],
      ['chunk', concat(lengthPrefixed(header), lengthPrefixed(firstChunk.subarray(0, firstChunk.length - 5)))]
    ]
    for (const [frame, bytes] of malformed) {
      const outcome = await submitStreamOutcome(hostile, aggregator, async (stream, _framed, signal) => { await sendRaw(stream, bytes, signal) })
      assertRefused(outcome, /^MalformedMessageError$/, `a ${frame} whose protobuf is cut short`)
    }
    assertRssBounded('after truncated and malformed frames')
    await expectExactSum(round, [[hostile, vector(4)], [honest[0]!, vector(5)], [honest[1]!, vector(6)]])
  })

  it('resets a stream that stops sending, or that stays open after its answer, once a read deadline passes', async () => {
    const round = await openRound([hostile, ...honest])
    const valid = buildSubmission(round, vector(7))
    const firstChunk = WIRE.CiphertextChunk.encode({ index: 0, ciphertexts: valid.bytes.subarray(0, round.ciphertextWidth) })
    const timeoutsBefore = await counterValue(aggregator, 'fedagg_submissions_rejected_total', { reason: 'TimeoutError' })
    const stalls: Array<[string, (stream: Stream, signal: AbortSignal) => Promise<void>]> = [
      ['nothing at all', async () => {}],
      ['a header, then nothing', async stream => { await sendHeader(stream, valid) }],
      ['half a chunk, then nothing', async (stream, signal) => {
        await sendHeader(stream, valid)
        await sendRaw(stream, concat(varint(firstChunk.length), firstChunk.subarray(0, firstChunk.length / 2)), signal)
      }]
    ]
    const [lingeringMs, ...outcomes] = await Promise.all([
      lingerAfterAnswer(hostile, aggregator, { ...valid.header, roundId: 'r-unknown' }),
      ...stalls.map(async ([, attack]) => submitStreamOutcome(hostile, aggregator, async (stream, _framed, signal) => attack(stream, signal)))
    ])
    outcomes.forEach((outcome, i) => {
      const stall = stalls[i]![0]
      assertReset(outcome, stall)
      // Timers may fire a few ms early relative to our clock; the reset must not come before the deadline's order of magnitude.
      assert.ok(outcome.elapsedMs >= READ_DEADLINE_MS - 100, `${stall}: reset after ${outcome.elapsedMs} ms, before the ${READ_DEADLINE_MS} ms read deadline`)
    })
    assert.ok(lingeringMs >= READ_DEADLINE_MS - 100, `a stream left open after its answer was reset ${lingeringMs} ms after the answer`)
    assert.equal(await counterValue(aggregator, 'fedagg_submissions_rejected_total', { reason: 'TimeoutError' }), timeoutsBefore + stalls.length)
    await waitUntil(() => inboundStreams(aggregator, hostile, PROTOCOLS.submit) === 0, 'the aggregator to drop the stalled streams')
    assertRssBounded('after stalled streams')
    await expectExactSum(round, [[hostile, vector(7)], [honest[0]!, vector(8)], [honest[1]!, vector(9)]])
  })

  it('refuses submit streams beyond the per-connection limit and serves everyone once they are gone', async () => {
    const round = await openRound([hostile, ...honest])
    // Fill the hostile connection's submit slots with streams that send nothing.
    const timeoutsBefore = await counterValue(aggregator, 'fedagg_submissions_rejected_total', { reason: 'TimeoutError' })
    const stalled = Array.from({ length: SUBMIT_STREAM_LIMIT }, async () => submitStreamOutcome(hostile, aggregator, async () => {}))
    await waitUntil(() => inboundStreams(aggregator, hostile, PROTOCOLS.submit) === SUBMIT_STREAM_LIMIT, 'the stalled streams to be open')
    // Each excess stream carries a complete, valid submission: only the limit stands in its way.
    const valid = buildSubmission(round, vector(10))
    const excess = await Promise.all(Array.from({ length: 3 * SUBMIT_STREAM_LIMIT }, async () => sendSubmission(hostile, aggregator, valid)))
    // The aggregator resets a stalled stream when its read deadline passes, and counts it as a TimeoutError:
    // none has been, so the stalled streams still held every slot while the excess ones were refused.
    assert.equal(await counterValue(aggregator, 'fedagg_submissions_rejected_total', { reason: 'TimeoutError' }), timeoutsBefore,
      'the excess streams were refused while the stalled ones still held their slots')
    excess.forEach((outcome, i) => { assertReset(outcome, `excess stream ${i}`) })
    assert.ok(inboundStreams(aggregator, hostile, PROTOCOLS.submit) <= SUBMIT_STREAM_LIMIT)
    // Other connections are untouched meanwhile: the honest clients are served while the hostile one is full.
    await Promise.all(honest.map(async (node, i) => node.submit(vector(11 + i), { roundId: round.announcement.roundId })))
    for (const outcome of await Promise.all(stalled)) assertReset(outcome, 'stalled stream')
    assertRssBounded('after excess streams')
    // Its slots freed, the same connection serves an honest submission and the round closes exactly.
    await expectExactSum(round, [[hostile, vector(10)]], [vector(11), vector(12)])
  })

  it('refuses the ciphertexts 0, n² and all-0xff with CiphertextOutOfRangeError and folds nothing in', async () => {
    const round = await openRound([hostile, ...honest])
    const { n } = round.publicKey
    const accepted = await counterValue(aggregator, 'fedagg_submissions_accepted_total')
    const width = round.ciphertextWidth
    const outOfRange: Array<[string, number, Uint8Array]> = [
      ['0', 0, new Uint8Array(width)],
      ['n²', 1, bigEndian(n * n, width)],
      ['n² + 1', 2, bigEndian(n * n + 1n, width)],
      ['all 0xff', 3, new Uint8Array(width).fill(0xff)]
    ]
    for (const [value, position, bytes] of outOfRange) {
      const outcome = await sendSubmission(hostile, aggregator, replaceCiphertext(round, vector(13), position, bytes))
      assertRefused(outcome, /^CiphertextOutOfRangeError$/, `the ciphertext ${value}`)
    }
    // Shape lies around valid ciphertexts are refused as typed errors too.
    const valid = buildSubmission(round, vector(13))
    assertRefused(await sendSubmission(hostile, aggregator, { ...valid, header: { ...valid.header, ciphertextWidth: width + 1 } }),
      /^SubmissionShapeError$/, 'a header with the wrong ciphertext width')
    assertRefused(await submitStreamOutcome(hostile, aggregator, async (_stream, framed, signal) => {
      await framed.write(WIRE.SubmissionHeader, valid.header, { signal })
      await framed.write(WIRE.CiphertextChunk, { index: 0, ciphertexts: valid.bytes.subarray(0, width - 1) }, { signal })
    }), /^SubmissionShapeError$/, 'a chunk that is not a whole number of ciphertexts')
    assert.equal(await counterValue(aggregator, 'fedagg_submissions_accepted_total'), accepted, 'no refused submission was counted as accepted')
    assertRssBounded('after out-of-range ciphertexts')
    await expectExactSum(round, [[hostile, vector(13)], [honest[0]!, vector(14)], [honest[1]!, vector(15)]])
  })

  it('refuses the ciphertexts 1 and n, which lie in (0, n²) but are no encryption a client could make', async () => {
    // 1 is E(0) with r = 1: folded in, it zeroes that client's count slot, and the coordinator marks the
    // whole round corrupt. n shares a factor with n: the product stops being invertible, the aggregator's
    // gcd(c, n) = 1 check on the final aggregate throws at close, and the round is never released
    // (the coordinator fails it once its settle grace has passed). One client spoils the round for all.
    const [secondHostile] = honest as [RunningNode, RunningNode]
    const round = await openRound([hostile, ...honest])
    const attempts: Array<[RunningNode, string, bigint]> = [[hostile, '1', 1n], [secondHostile, 'n', round.publicKey.n]]
    const answers: Record<string, string> = {}
    for (const [attacker, value, c] of attempts) {
      const forged = Array.from({ length: round.plan.ciphertexts }, () => c)
      const outcome = await sendSubmission(attacker, aggregator, withCiphertextBytes(round, Uint8Array.from(encodeCiphertexts(round.publicKey, forged))))
      answers[value] = outcome.kind === 'reset' ? 'reset' : outcome.response.accepted ? 'accepted' : outcome.response.errorName
    }
    // c = 1 (E(0) with r = 0) and c = n (not a unit mod n) lie in (0, n²) but are refused before folding.
    const typed = (answer: string): string => /^Ciphertext\w+Error$/.test(answer) ? 'a typed Ciphertext*Error refusal' : answer
    assert.deepEqual(Object.fromEntries(Object.entries(answers).map(([value, answer]) => [value, typed(answer)])),
      { 1: 'a typed Ciphertext*Error refusal', n: 'a typed Ciphertext*Error refusal' }, 'the ciphertexts 1 and n must be refused')
    await expectExactSum(round, [[hostile, vector(16)], [secondHostile, vector(17)], [honest[1]!, vector(18)]])
  })

  it('marks the round corrupt, naming the slot, when a client overflows a value into its guard bit', async () => {
    const round = await openRound([hostile, ...honest])
    // A well-formed submission whose plaintext sets slot 0's guard bit: nothing the aggregator can see.
    const plaintexts = encodeAndPack(round.spec, round.plan, vector(25))
    // Slot 0 sits just above the tag slot.
    plaintexts[0] = plaintexts[0]! | (1n << BigInt(round.plan.tagSlotBits + round.plan.slotBits - 1))
    const outcome = await sendSubmission(hostile, aggregator, await withStatement(hostile, round, encryptPlaintexts(round, plaintexts)))
    assert.ok(outcome.kind === 'answered' && outcome.response.accepted, 'the aggregator cannot tell, so it accepts')
    const { roundId } = round.announcement
    await Promise.all(honest.map(async (node, i) => node.submit(vector(26 + i), { roundId })))
    const result = await coordinator.waitForResult(roundId, { signal: AbortSignal.timeout(30_000) })
    assert.equal(result.status, 'corrupt')
    assert.deepEqual(result.sum, [], 'no values of a corrupt aggregate are released')
    assert.match(result.reason ?? '', /slot 0 failed guard-bit check/)
  })

  it('refuses a submission replayed from an earlier round', async () => {
    const first = await openRound([hostile, ...honest])
    const captured = await countableSubmission(hostile, coordinator, first, vector(19))
    const original = await sendSubmission(hostile, aggregator, captured)
    assert.ok(original.kind === 'answered' && original.response.accepted, 'the captured submission was accepted in its own round')
    await expectExactSum(first, [[honest[0]!, vector(20)], [honest[1]!, vector(21)]], [vector(19)])
    const accepted = await counterValue(aggregator, 'fedagg_submissions_accepted_total')

    // Into the same round, after it closed: refused, or at most the original receipt again, never a second count.
    const again = await sendSubmission(hostile, aggregator, captured)
    if (again.kind === 'answered' && again.response.accepted) {
      assert.deepEqual(again.response.receipt, original.response.receipt, 'a resend may only get the original receipt back')
    } else {
      assertRefused(again, /^(RoundClosedError|RoundDeadlinePassedError)$/, 'a replay into the closed round')
    }

    const second = await openRound([hostile, ...honest])
    // The hostile client signs a statement for round 2 itself: only the ciphertexts are replayed.
    const retargeted = await withStatement(hostile, second, captured)
    // The same ciphertexts under the new round id, with the header digest changed so that it is not a byte-identical resend.
    const relabelled = { ...retargeted, header: { ...retargeted.header, digest: retargeted.header.digest.map(byte => byte ^ 0x01) } }
    // Refused as a digest mismatch (SubmissionShapeError), or as a replay once the aggregator detects those.
    assertRefused(await sendSubmission(hostile, aggregator, relabelled), /^(SubmissionShapeError|\w*Replay\w*Error)$/, 'a replay whose header digest does not match')
    // Byte-identical round-1 ciphertexts under round 2's id: the aggregator's digest index refuses the replay.
    assertRefused(await sendSubmission(hostile, aggregator, retargeted), /^SubmissionReplayedStoreError$/, 'the round-1 submission replayed under round 2')
    assertRssBounded('after replays')
    assert.equal(await counterValue(aggregator, 'fedagg_submissions_accepted_total'), accepted)
    await expectExactSum(second, [[hostile, vector(22)], [honest[0]!, vector(23)], [honest[1]!, vector(24)]])
  })

  it('rejects gossip authored off the roster or under a forged author, and still delivers the coordinator\'s', async () => {
    const round = await openRound([hostile, ...honest])
    const { roundId } = round.announcement
    const topic = federationTopic('test')
    const hostileKey = await loadIdentity(hostile.dataDir)
    const genuine = storedAnnouncement(coordinator, roundId)
    const forgedRound = (id: string): Uint8Array => WIRE.RoundAnnouncement.encode({ ...WIRE.RoundAnnouncement.decode(genuine.payload), roundId: id })
    const rejected = async (kind?: string): Promise<number> => counterValue(coordinator, 'fedagg_gossip_rejected_total', kind === undefined ? {} : { kind })
    const [rejectedBefore, announcementsBefore, transcriptsBefore] = [await rejected(), await rejected('announcement'), await rejected('transcript')]

    // 1. Authored and signed by a key on no roster, relayed by a member: StrictSign holds, the author is no member.
    const outsiderKey = await generateKeyPair('Ed25519')
    await publishAs(hostile, outsiderKey, peerIdFromPrivateKey(outsiderKey), topic,
      encodeFederationEvent('announcement', await signPayload(outsiderKey, DOMAINS.announcement, forgedRound('r-outsider'))))
    // 2. The coordinator's own signed announcement, republished by a member under its own name.
    await hostile.libp2p.services.pubsub.publish(topic, encodeFederationEvent('announcement', genuine))
    // 3. A transcript signed by a member that is no aggregator, claiming the round released.
    await hostile.libp2p.services.pubsub.publish(topic, encodeFederationEvent('transcript', await signMessage(hostileKey, DOMAINS.transcript, WIRE.Transcript, {
      federationId: 'test', roundId, aggregator: hostile.peerId, status: TRANSCRIPT_STATUS.released, contributors: [],
      aggregateDigest: new Uint8Array(32), closedAtMs: Date.now(), reason: '', announcementHash: round.announcementHash, keyFingerprint: round.publicKey.fingerprint
    })))
    await waitUntil(async () => (await rejected()) >= rejectedBefore + 3, 'the coordinator to reject three forgeries')

    // 4. Gossip whose author field names the coordinator but which the member signed: gossipsub's StrictSign
    // check drops it before any topic validator runs, so it shows only as never delivered.
    const claimingCoordinator = { ...(await signPayload(hostileKey, DOMAINS.announcement, forgedRound('r-forged-author'))), signer: coordinator.peerId }
    await publishAs(hostile, hostileKey, peerIdFromString(coordinator.peerId), topic, encodeFederationEvent('announcement', claimingCoordinator))
    // Long enough for a heartbeat or two of gossip to carry anything that got through.
    await new Promise(resolve => setTimeout(resolve, 1_500))
    assert.equal(await rejected('announcement'), announcementsBefore + 2, 'rejected announcements: the outsider-authored one and the republished one')
    assert.equal(await rejected('transcript'), transcriptsBefore + 1, 'rejected transcripts: the member-signed one')
    assertRssBounded('after forged gossip')

    // 5. A peer that was never admitted cannot even connect, so its gossip reaches nobody.
    const outsider = await federation.addNode(['client'], { admit: false })
    await assert.rejects(outsider.libp2p.dialProtocol(multiaddr(coordinator.multiaddrs()[0]!), PROTOCOLS.roster, { signal: AbortSignal.timeout(5_000) }))
    await outsider.libp2p.services.pubsub.publish(topic, encodeFederationEvent('announcement',
      await signPayload(await loadIdentity(outsider.dataDir), DOMAINS.announcement, forgedRound('r-not-admitted'))))
    await waitUntil(() => outsider.libp2p.getConnections().length === 0, 'the outsider\'s refused connections to close')
    await new Promise(resolve => setTimeout(resolve, 500))
    // Services re-verify what gossip delivers; none of them may have acted on a forgery either.
    for (const forged of ['r-outsider', 'r-forged-author', 'r-not-admitted']) {
      for (const node of [coordinator, aggregator, ...honest]) assert.equal(await node.round(forged), undefined, `${forged} reached ${node.peerId}`)
    }
    await expectExactSum(round, [[hostile, vector(25)], [honest[0]!, vector(26)], [honest[1]!, vector(27)]])
  })
})

/** A deterministic vector of VECTOR_LENGTH values in [0, 2^32), different for each seed. */
function vector (seed: number): number[] {
  return Array.from({ length: VECTOR_LENGTH }, (_, j) => (seed * 2_654_435_761 + j * 40_503) % 2 ** 32)
}

/** Exact element-wise sums, as the coordinator reports them. */
function sumOf (vectors: number[][]): string[] {
  return Array.from({ length: VECTOR_LENGTH }, (_, j) => vectors.reduce((sum, values) => sum + BigInt(values[j]!), 0n).toString())
}

/**
 * Gets a typed refusal for `header`, then never closes its side and trickles 16 KiB every 200 ms (far
 * below any buffer limit that would trip on its own): resolves with the time from the answer until the
 * target reset the stream, which it must do before the attacker runs out of patience.
 */
async function lingerAfterAnswer (attacker: RunningNode, target: RunningNode, header: SubmissionHeader): Promise<number> {
  const signal = AbortSignal.timeout(ATTACKER_PATIENCE_MS)
  const stream = await openSubmitStream(attacker, target, signal)
  const framed = new FramedStream(stream, WIRE.SubmitResponse.maxDataLength)
  await framed.write(WIRE.SubmissionHeader, header, { signal })
  const answer = await framed.read(WIRE.SubmitResponse, { signal })
  assert.equal(answer.accepted, false)
  const answeredAt = Date.now()
  await assert.rejects(async () => {
    for (;;) {
      signal.throwIfAborted()
      await sendRaw(stream, new Uint8Array(16 * 1024), signal)
      await new Promise(resolve => setTimeout(resolve, 200))
    }
  })
  assert.equal(stream.status, 'reset', 'a stream left open after its answer must be reset by the target, not outlast the attacker')
  return Date.now() - answeredAt
}

function assertReset (outcome: StreamOutcome, attack: string): void {
  const answer = outcome.kind === 'answered' ? `accepted=${outcome.response.accepted} ${outcome.response.errorName}` : ''
  assert.equal(outcome.kind, 'reset', `${attack} was answered (${answer}) instead of reset`)
}

function assertRefused (outcome: StreamOutcome, errorName: RegExp, attack: string): void {
  assert.ok(outcome.kind === 'answered', `${attack} was reset (${outcome.kind === 'reset' ? outcome.error.message : ''}) instead of refused with a typed error`)
  assert.equal(outcome.response.accepted, false, `${attack} was accepted instead of refused`)
  assert.match(outcome.response.errorName, errorName, `${attack}: ${outcome.response.errorMessage}`)
}

async function sendHeader (stream: Stream, submission: BuiltSubmission): Promise<void> {
  await sendRaw(stream, lengthPrefixed(WIRE.SubmissionHeader.encode(submission.header)), AbortSignal.timeout(5_000))
}

function lengthPrefixed (bytes: Uint8Array): Uint8Array {
  return concat(varint(bytes.length), bytes)
}

function concat (...parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(parts))
}

function bigEndian (value: bigint, width: number): Uint8Array {
  return Uint8Array.from(Buffer.from(value.toString(16).padStart(width * 2, '0'), 'hex'))
}

/** A valid submission of `values` with the ciphertext at `position` replaced by raw `bytes`, digest fixed up. */
function replaceCiphertext (round: AnnouncedRound, values: number[], position: number, bytes: Uint8Array): BuiltSubmission {
  const { bytes: all } = buildSubmission(round, values)
  all.set(bytes, position * round.ciphertextWidth)
  return withCiphertextBytes(round, all)
}

/** The coordinator's signed announcement of `roundId`, as it stored it. */
function storedAnnouncement (coordinator: RunningNode, roundId: string): SignedPayload {
  const store = openStore(join(coordinator.dataDir, 'node.db'))
  try {
    return WIRE.SignedPayload.decode(store.rounds.get(roundId)!.signedAnnouncement)
  } finally {
    store.close()
  }
}
