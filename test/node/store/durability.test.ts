// Tests that every commit a SIGKILLed writer acknowledged is in node.db when it is reopened, and nothing half-written is.
import assert from 'node:assert/strict'
import { fork } from 'node:child_process'
import { once } from 'node:events'
import { statSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { openStore } from '../../../node/store/index.ts'
import { tempDir } from './helpers.ts'

const WRITER = fileURLToPath(new URL('./fixtures/durable-writer.ts', import.meta.url))
/** Enough acknowledged commits that the WAL holds many frames not yet checkpointed. */
const KILL_AFTER_ACKS = 300

describe('node/store durability', () => {
  let dir: ReturnType<typeof tempDir>
  beforeEach(() => { dir = tempDir() })
  afterEach(() => { dir.remove() })

  it('keeps every acknowledged submission, receipt and result after the writer is SIGKILLed', async () => {
    const child = fork(WRITER, [dir.dbPath], { execPath: process.execPath, execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    const exited = once(child, 'exit')
    let acked = -1
    let setup = false
    try {
      await new Promise<void>((resolve, reject) => {
        child.on('message', (msg: { acked?: number, setup?: boolean }) => {
          if (msg.setup === true) setup = true
          if (msg.acked !== undefined) acked = msg.acked
          if (acked + 1 >= KILL_AFTER_ACKS) {
            child.kill('SIGKILL')
            resolve()
          }
        })
        child.once('exit', (code, signal) => { reject(new Error(`writer exited early: code ${code}, signal ${signal}`)) })
      })
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      await exited
    }
    assert.equal(child.signalCode, 'SIGKILL')
    assert.ok(setup)
    // The commits are still in the write-ahead log (below the 1000-page auto-checkpoint), so reopening must replay it.
    assert.ok(statSync(`${dir.dbPath}-wal`).size > 0, 'expected a non-empty WAL after the kill')

    const store = openStore(dir.dbPath)
    try {
      assert.equal(store.roster.latest()?.version, 1)
      assert.equal(store.rounds.get('done')?.status, 'decrypted')
      assert.deepEqual(store.results.get('done')?.resultMessage, Uint8Array.of(3))

      const count = store.submissions.count('crash')
      assert.ok(count >= acked + 1, `expected at least ${acked + 1} submissions, got ${count}`)
      let expected = 0
      for (const s of store.submissions.forRound('crash')) {
        // Whole rows only: the index, client and both blobs come from the same committed transaction.
        assert.equal(s.index, expected)
        assert.equal(s.client, `c${expected}`)
        assert.deepEqual(s.digest, Uint8Array.of(expected % 256, 7))
        assert.equal(s.ciphertexts.byteLength, 4096)
        assert.ok(s.ciphertexts.every(b => b === expected % 251))
        expected++
      }
      assert.equal(expected, count)
      for (let i = 0; i <= acked; i++) {
        assert.deepEqual(store.submissions.get('crash', `c${i}`)?.receipt, Uint8Array.of(i % 256, 9), `receipt of acknowledged c${i}`)
      }
    } finally {
      store.close()
    }
  })
})
