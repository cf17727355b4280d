// Tests lowerThreadPriority: it changes the calling thread's nice value and no other thread's.
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { getPriority } from 'node:os'
import { once } from 'node:events'
import { Worker } from 'node:worker_threads'

const THREAD_PRIORITY = new URL('../../../node/crypto/thread-priority.ts', import.meta.url).href

describe('node/crypto/thread-priority', () => {
  it('lowers the priority of the calling thread only, and caps the nice value at 19', async function () {
    if (!existsSync('/proc/thread-self')) this.skip()
    const before = getPriority()
    const worker = new Worker(`
      import { parentPort } from 'node:worker_threads'
      const { lowerThreadPriority } = await import(${JSON.stringify(THREAD_PRIORITY)})
      parentPort.postMessage([lowerThreadPriority(3), lowerThreadPriority(100)])
    `, { eval: true, type: 'module' } as ConstructorParameters<typeof Worker>[1])
    const [[first, capped]] = await once(worker, 'message') as [[number, number]]
    await worker.terminate()
    assert.equal(first, Math.min(19, before + 3))
    assert.equal(capped, 19)
    assert.equal(getPriority(), before, 'the main thread keeps its priority')
  })
})
