// A small, fixed, class-balanced sample of the SpamAssassin corpus for fast tests.
import { loadSpamCorpus } from '../../../../node/training/spam/corpus.ts'
import type { Email } from '../../../../node/training/spam/corpus.ts'

/** Every `stride`-th email of each class in key order, up to `perClass` of each. */
export function corpusSample (perClass: number, stride = 7): Email[] {
  const emails = loadSpamCorpus()
  return ([0, 1] as const).flatMap(label => emails.filter(email => email.label === label).filter((_, i) => i % stride === 0).slice(0, perClass))
}
