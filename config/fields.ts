// Zod field types of the config, each carrying the one phrase ("a positive integer") its error message says was expected.
import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import { isLoopbackHost } from './loopback.ts'
import * as z from 'zod'

/**
 * Every check of a field reports the same phrase as the zod issue message;
 * issues.ts turns it into `expected <phrase>, got <value>`.
 */
export function intInRange (min: number, max: number, phrase = `an integer in [${min}, ${max}]`): z.ZodNumber {
  return z.number({ error: phrase }).int({ error: phrase }).min(min, { error: phrase }).max(max, { error: phrase })
}

export function positiveInt (max = Number.MAX_SAFE_INTEGER): z.ZodNumber {
  return intInRange(1, max, max === Number.MAX_SAFE_INTEGER ? 'a positive integer' : `a positive integer <= ${max}`)
}

export function boolean (): z.ZodBoolean {
  return z.boolean({ error: 'true or false' })
}

export function pattern (regex: RegExp, phrase: string): z.ZodString {
  return z.string({ error: phrase }).regex(regex, { error: phrase })
}

export function oneOf<const T extends readonly [string, ...string[]]> (values: T): z.ZodEnum<{ [K in T[number]]: K }> {
  return z.enum(values, { error: `one of ${values.map(v => JSON.stringify(v)).join(', ')}` })
}

/** A non-empty list without repeats of `item`. */
export function uniqueList<T extends z.ZodType> (item: T, phrase: string): z.ZodArray<T> {
  return z.array(item, { error: phrase }).min(1, { error: phrase }).refine(list => new Set(list).size === list.length, { error: `${phrase} without repeats` })
}

/** A multiaddr string that @multiformats/multiaddr parses; the parser's reason is part of the message. */
export function multiaddrString (): z.ZodString {
  return z.string({ error: 'a multiaddr string' }).check(ctx => {
    const reason = multiaddrProblem(ctx.value)
    if (reason !== undefined) ctx.issues.push({ code: 'custom', message: `a multiaddr (${reason})`, input: ctx.value })
  })
}

/**
 * The bootstrap address: a multiaddr whose last component is /p2p/<peerId>,
 * because the roster fetched from it is checked against that peer ID.
 */
export function joinMultiaddr (): z.ZodString {
  const phrase = 'a multiaddr ending in /p2p/<peerId>'
  return z.string({ error: phrase }).check(ctx => {
    const reason = multiaddrProblem(ctx.value)
    if (reason !== undefined) {
      ctx.issues.push({ code: 'custom', message: `${phrase} (${reason})`, input: ctx.value })
      return
    }
    const last = multiaddr(ctx.value).getComponents().at(-1)
    if (last?.name !== 'p2p' || last.value === undefined) {
      ctx.issues.push({ code: 'custom', message: phrase, input: ctx.value })
      return
    }
    try {
      peerIdFromString(last.value)
    } catch {
      ctx.issues.push({ code: 'custom', message: `${phrase} (${JSON.stringify(last.value)} is not a peer ID)`, input: ctx.value })
    }
  })
}

/**
 * Loopback only: 127.0.0.0/8, ::1, or `localhost`. Nothing is resolved,
 * since any other name could resolve to a public interface.
 */
export function loopbackHost (): z.ZodString {
  const phrase = 'a loopback address (127.0.0.0/8, ::1 or localhost)'
  return z.string({ error: phrase }).refine(isLoopbackHost, { error: phrase })
}

function multiaddrProblem (value: string): string | undefined {
  try {
    multiaddr(value)
    return undefined
  } catch (err) {
    return (err as Error).message
  }
}
