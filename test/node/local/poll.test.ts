// Tests pollUntil: success, timeout naming what it waited for (and the last error), abort.
import assert from 'node:assert/strict'
import { pollUntil } from '../../../node/local/poll.ts'

describe('node/local/poll', () => {
  it('returns once the check holds', async () => {
    let calls = 0
    await pollUntil(async () => ++calls === 3, { timeoutMs: 5000, what: 'three calls' })
    assert.equal(calls, 3)
  })

  it('times out with PollTimeoutError naming the wait and the last error', async () => {
    await assert.rejects(pollUntil(async () => { throw new RangeError('not yet') }, { timeoutMs: 150, what: 'the roster' }), (err: Error) => {
      assert.equal(err.name, 'PollTimeoutError')
      assert.match(err.message, /waited 150 ms for the roster \(last error RangeError: not yet\)/)
      return true
    })
  })

  it('stops when its signal aborts', async () => {
    const controller = new AbortController()
    setTimeout(() => { controller.abort(new Error('stop')) }, 50)
    await assert.rejects(pollUntil(async () => false, { timeoutMs: 10_000, signal: controller.signal, what: 'never' }), /stop/)
  })
})
