// Issue 8, Why 4: rounds are bounded and can be cancelled. A huge --deadline is refused with a typed error at
// the control API, one aggregator runs one open round by default, `round cancel` fails a round without
// decrypting it, and `round result` defaults to the newest round, reports progress and exits 1 on failure.
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ControlClient } from '../../node/control/client.ts'
import { createControlToken, writeControlFile } from '../../node/control/control-file.ts'
import { startControlServer } from '../../node/control/server.ts'
import type { ControlServer } from '../../node/control/server.ts'
import { runCli } from '../node/cli/cli-harness.ts'
import { decryptions, startFederation, waitUntil } from '../helpers/federation.ts'
import type { TestFederation } from '../helpers/federation.ts'

describe('e2e: round control', function () {
  this.timeout(180_000)
  let federation: TestFederation
  let control: ControlServer
  let coordinatorDir: string
  let api: ControlClient

  before(async () => {
    federation = await startFederation({ clients: 3 })
    coordinatorDir = federation.coordinator.dataDir
    const token = createControlToken()
    control = await startControlServer({ node: federation.coordinator, token })
    await writeControlFile(coordinatorDir, { url: control.url, token })
    api = new ControlClient({ url: control.url, token })
  })
  after(async () => {
    await control?.close()
    await federation?.stop()
  })

  it('refuses a deadline beyond round.maxDeadlineSeconds with a typed error, and a non-number as a usage error', async () => {
    await assert.rejects(api.openRound({ length: 2, encoding: 'int:8', minParticipants: 3, deadlineSeconds: 99_999_999 }), (err: Error & { status?: number }) => {
      assert.equal(err.name, 'DeadlineOutOfRangeError')
      assert.equal(err.status, 400)
      assert.match(err.message, /deadlineSeconds: expected a number of seconds in \(0, 86400\] \(round\.maxDeadlineSeconds\), got 99999999/)
      return true
    })
    const cli = await runCli(['round', 'open', '--length', '2', '--deadline', '99999999', '--data-dir', coordinatorDir])
    assert.equal(cli.code, 1)
    assert.match(cli.stderr, /^fedagg: DeadlineOutOfRangeError: /)
    const typo = await runCli(['round', 'open', '--length', '2', '--deadline', 'abc', '--data-dir', coordinatorDir])
    assert.equal(typo.code, 2)
    assert.equal(typo.stderr, 'fedagg: UsageError: --deadline: expected a number of seconds, got "abc"\n')
    assert.deepEqual(await federation.coordinator.rounds(), [], 'nothing was opened')
  })

  it('opens one round per aggregator, cancels it without decrypting, and round result exits 1 on it', async () => {
    const { coordinator, clients } = federation
    const before = await decryptions(coordinator)
    const first = await coordinator.openRound({ length: 2, encoding: 'int:8', minParticipants: 3, deadlineSeconds: 60 })
    await assert.rejects(coordinator.openRound({ length: 2, encoding: 'int:8', minParticipants: 3, deadlineSeconds: 60 }), (err: Error) => {
      assert.equal(err.name, 'TooManyOpenRoundsError')
      assert.ok(err.message.includes(first.roundId), err.message)
      return true
    })
    await Promise.all(clients.map(async client => waitUntil(async () => (await client.round(first.roundId)) !== undefined, 'announcement')))
    await (clients[0] as typeof coordinator).submit([1, 2], { roundId: first.roundId })

    const cancel = await runCli(['round', 'cancel', first.roundId, '--reason', 'wrong length', '--data-dir', coordinatorDir, '--json'])
    assert.equal(cancel.code, 0, cancel.stderr)
    const cancelled = JSON.parse(cancel.stdout)
    assert.equal(cancelled.status, 'failed')
    assert.equal(cancelled.reason, 'cancelled: wrong length')
    const again = await runCli(['round', 'cancel', first.roundId, '--data-dir', coordinatorDir])
    assert.match(again.stderr, /^fedagg: RoundNotOpenError: round .* is already failed/)

    // Published: clients learn the round closed and refuse to submit to it.
    const late = clients[1] as typeof coordinator
    await waitUntil(async () => (await late.round(first.roundId))?.status !== 'open', 'a client to learn of the cancellation', 30_000)
    await assert.rejects(late.submit([1, 1], { roundId: first.roundId }), { name: 'RoundNotOpenError' })

    // `round result` defaults to the newest round, prints it, and exits 1 because it failed.
    const result = await runCli(['round', 'result', '--data-dir', coordinatorDir])
    assert.equal(result.code, 1)
    assert.match(result.stdout, new RegExp(`^round ${first.roundId}: failed \\(cancelled: wrong length\\)`))
    assert.match(result.stderr, /^fedagg: RoundUnsuccessfulError: round .* failed: cancelled: wrong length\n$/)
    assert.equal(await decryptions(coordinator), before, 'nothing was decrypted')
  })

  it('round result --wait reports progress, and --output writes the whole vector while printing a summary', async () => {
    const { coordinator, clients } = federation
    const round = await coordinator.openRound({ length: 30, encoding: 'int:8', minParticipants: 3, deadlineSeconds: 120 })
    await Promise.all(clients.map(async client => waitUntil(async () => (await client.round(round.roundId)) !== undefined, 'announcement')))
    const pending = await runCli(['round', 'result', '--wait', '6', '--data-dir', coordinatorDir])
    assert.equal(pending.code, 1)
    assert.match(pending.stderr, new RegExp(`^waiting for round ${round.roundId}: open, .*deadline in \\d+ s; giving up in \\d+ s$`, 'm'))
    assert.match(pending.stderr, /fedagg: ResultPendingError: /)

    const values = Array.from({ length: 30 }, (_, i) => i)
    await Promise.all(clients.map(async client => client.submit(values, { roundId: round.roundId })))
    const csv = join(coordinatorDir, 'sum.csv')
    const written = await runCli(['round', 'result', round.roundId, '--wait', '60', '--output', csv, '--data-dir', coordinatorDir])
    assert.equal(written.code, 0, written.stderr)
    assert.match(written.stdout, /decrypted, 3 contributors\n30 values written to .*sum\.csv\n$/)
    const rows = (await readFile(csv, 'utf8')).trim().split('\n')
    assert.equal(rows[0], 'index,sum,mean')
    assert.deepEqual(rows.slice(1).map(row => Number(row.split(',')[1])), values.map(v => 3 * v))

    const json = join(coordinatorDir, 'sum.json')
    const summary = await runCli(['round', 'result', '--output', json, '--json', '--data-dir', coordinatorDir])
    assert.equal(summary.code, 0, summary.stderr)
    assert.deepEqual(JSON.parse(summary.stdout).length, 30)
    assert.deepEqual(JSON.parse(await readFile(json, 'utf8')).sum, values.map(v => String(3 * v)))
    // Without --output, a terminal gets the first values and a pointer to --output.
    const shown = await runCli(['round', 'result', '--data-dir', coordinatorDir])
    assert.match(shown.stdout, /\(10 more of 30; write them all with --output FILE\)/)
  })
})
