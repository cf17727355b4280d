// Runs clients/python/examples/spam_trainer.py for some organizations of the spam demo, each against its own client daemon.
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { FedaggError } from '../../protocol/errors.ts'
import type { Email } from '../training/spam/corpus.ts'

export const SPAM_TRAINER_SCRIPT = fileURLToPath(new URL('../../clients/python/examples/spam_trainer.py', import.meta.url))

/** Last stderr bytes kept per trainer to explain its failure. */
const STDERR_TAIL_BYTES = 2048

export class PythonTrainerFailedError extends FedaggError {
  static override name = 'PythonTrainerFailedError'
}

export interface PythonTrainerSpec {
  organization: number
  /** The client daemon's data directory: the trainer reads its control.json. */
  dataDir: string
  shard: readonly Email[]
}

export interface PythonTrainers {
  /** Rejects with PythonTrainerFailedError as soon as a trainer exits with an error. */
  readonly failed: Promise<never>
  /** Waits until every trainer has exited after the session's final model (or kills them when `kill`). */
  stop (kill: boolean): Promise<void>
}

/**
 * Writes each shard as [{ text, label }] to a temporary file and starts
 * `python spam_trainer.py` for it. The trainers follow the session on their
 * own: fetch the model from their node, train, submit, wait for the next one.
 */
export async function startPythonTrainers (python: string, specs: readonly PythonTrainerSpec[], sgd: { seed: number, learningRate: number }): Promise<PythonTrainers> {
  const dir = await mkdtemp(join(tmpdir(), 'fedagg-python-trainers-'))
  const children: Array<{ child: ChildProcess, exited: Promise<number | null> }> = []
  let rejectFailed: (err: Error) => void = () => {}
  const failed = new Promise<never>((_resolve, reject) => { rejectFailed = reject })
  failed.catch(() => {})
  for (const { organization, dataDir, shard } of specs) {
    const file = join(dir, `shard-${organization}.json`)
    await writeFile(file, JSON.stringify(shard.map(({ text, label }) => ({ text, label }))))
    const child = spawn(python, [SPAM_TRAINER_SCRIPT, '--data-dir', dataDir, '--shard', file, '--organization', String(organization),
      '--seed', String(sgd.seed), '--lr', String(sgd.learningRate)], { stdio: ['ignore', 'ignore', 'pipe'] })
    let tail = ''
    child.stderr?.on('data', (chunk: Buffer) => { tail = (tail + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES) })
    const exited = new Promise<number | null>(resolve => {
      child.once('exit', code => { resolve(code) })
      child.once('error', err => {
        rejectFailed(new PythonTrainerFailedError(`organization ${organization}: cannot run ${python}: ${err.message}`))
        resolve(null)
      })
    })
    void exited.then(code => {
      if (code !== 0 && code !== null) rejectFailed(new PythonTrainerFailedError(`organization ${organization}: ${python} spam_trainer.py exited with ${code}: ${tail.trim().split('\n').at(-1) ?? ''}`))
    })
    children.push({ child, exited })
  }
  return {
    failed,
    stop: async (kill) => {
      if (kill) for (const { child } of children) child.kill('SIGKILL')
      await Promise.all(children.map(async ({ exited }) => exited))
      await rm(dir, { recursive: true, force: true })
    }
  }
}
