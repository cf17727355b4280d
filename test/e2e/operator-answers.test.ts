// The operator's questions answered truthfully (issue 8, Why 1): a changed or out-of-range resubmit and a
// submit after the round closed are refused before anything is sent, never answered with the old receipt.
import assert from 'node:assert/strict'
import { startFederation, waitUntil } from '../helpers/federation.ts'
import type { TestFederation } from '../helpers/federation.ts'

describe('e2e: honest submit answers', function () {
  this.timeout(120_000)
  let federation: TestFederation

  afterEach(async () => { await federation?.stop() })

  it('refuses changed or out-of-range values after a receipt, and any submit once the round is decrypted', async () => {
    federation = await startFederation({ clients: 3 })
    const { coordinator, clients } = federation
    const [first, ...others] = clients as [typeof clients[0], ...typeof clients]
    const round = await coordinator.openRound({ length: 3, encoding: 'int:8', minParticipants: 3, deadlineSeconds: 60 })
    await Promise.all(clients.map(async client => waitUntil(async () => (await client.round(round.roundId)) !== undefined, 'announcement')))
    const receipt = await first.submit([1, 1, 1], { roundId: round.roundId })
    assert.equal(receipt.roundId, round.roundId)

    // Out of range for int:8: refused as such, not answered with the receipt of [1, 1, 1].
    await assert.rejects(first.submit([-1, 1, 1], { roundId: round.roundId }), { name: 'ValueOutOfRangeError' })
    // In range but different: refused before anything is sent.
    await assert.rejects(first.submit([2, 1, 1], { roundId: round.roundId }), { name: 'SubmissionValuesChangedError' })
    await assert.rejects(first.submit([2, 1, 1]), { name: 'SubmissionValuesChangedError' })
    // The same values again get the same receipt back.
    assert.deepEqual(await first.submit([1, 1, 1], { roundId: round.roundId }), receipt)

    await Promise.all(others.map(async client => client.submit([1, 2, 3], { roundId: round.roundId })))
    const result = await coordinator.waitForResult(round.roundId, { signal: AbortSignal.timeout(60_000) })
    assert.deepEqual(result.sum, ['3', '5', '7'], 'the decrypted sum uses the first values only')

    // After decryption the round is no longer open: without --round there is none; with it, it says so.
    await waitUntil(async () => (await first.round(round.roundId))?.status !== 'open', 'the client to learn the round closed', 30_000)
    await assert.rejects(first.submit([1, 1, 1]), { name: 'NoOpenRoundError' })
    await assert.rejects(first.submit([1, 1, 1], { roundId: round.roundId }), (err: Error) => {
      assert.equal(err.name, 'RoundNotOpenError')
      assert.match(err.message, /no longer open \(decrypted\)/)
      return true
    })
    await assert.rejects(first.submit([5, 5, 5], { roundId: round.roundId }), { name: 'SubmissionValuesChangedError' })
  })
})
