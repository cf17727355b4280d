// zod schemas for control API request bodies and query parameters, and turning their failures into typed errors.
import { peerIdFromString } from '@libp2p/peer-id'
import { z } from 'zod'
import { InvalidRequestError } from './errors.ts'

export const RoleSchema = z.enum(['coordinator', 'aggregator', 'client'])

/** A peer ID as libp2p prints it; parsed here so a typo is a 400, not a node error. */
export const PeerIdSchema = z.string().min(1).max(128).refine(isPeerIdString, { message: 'expected a libp2p peer ID (e.g. 12D3KooW...)' })

export const AddMemberBodySchema = z.strictObject({
  peerId: PeerIdSchema,
  roles: z.array(RoleSchema).min(1).refine(roles => new Set(roles).size === roles.length, { message: 'expected each role at most once' }),
  name: z.string().min(1).max(128).optional()
})

export const OpenRoundBodySchema = z.strictObject({
  length: z.number().int().positive(),
  encoding: z.string().min(1).max(32),
  clip: z.number().positive().optional(),
  weightBits: z.number().int().positive().optional(),
  minParticipants: z.number().int().positive(),
  maxParticipants: z.number().int().positive().optional(),
  deadlineSeconds: z.number().positive(),
  eligible: z.array(PeerIdSchema).optional(),
  aggregator: PeerIdSchema.optional()
})

export const SubmitBodySchema = z.strictObject({
  values: z.array(z.number()).min(1),
  roundId: z.string().min(1).max(128).optional(),
  weight: z.number().nonnegative().optional()
})

/** Model parameters or an update as float64 little-endian bytes in base64 (8 bytes a value, a third of JSON numbers). */
const Float64Base64Schema = z.string().min(1).regex(/^[A-Za-z0-9+/]*={0,2}$/, { message: 'expected base64 of float64 little-endian values' })

export const StartSessionBodySchema = z.strictObject({
  parameterCount: z.number().int().positive().optional(),
  initialModelBase64: Float64Base64Schema.optional(),
  rounds: z.number().int().positive().optional(),
  clip: z.number().positive().optional(),
  fractionBits: z.number().int().nonnegative().optional(),
  weightBits: z.number().int().positive().optional(),
  epochs: z.number().int().positive().optional(),
  minParticipants: z.number().int().positive().optional(),
  roundDeadlineSeconds: z.number().positive().optional(),
  tolerance: z.number().nonnegative().optional()
})

export const SubmitUpdateBodySchema = z.strictObject({
  round: z.number().int().nonnegative(),
  updateBase64: Float64Base64Schema,
  weight: z.number().int().positive()
})

/** `?after=` on GET /sessions/:id/model: the round the caller already trained; -1 waits for any model. */
export const AfterRoundSchema = z.coerce.number().int().min(-1)

/** `?wait=` on GET /rounds/:id/result: whole or fractional seconds to long-poll. */
export const WaitSecondsSchema = z.coerce.number().nonnegative()

/**
 * Parses `input` or throws InvalidRequestError naming each bad field, e.g.
 * `roles.0: Invalid option: expected one of "coordinator"|"aggregator"|"client"`.
 */
export function parseRequest<T> (schema: z.ZodType<T>, input: unknown, what: string): T {
  const result = schema.safeParse(input)
  if (result.success) return result.data
  const problems = result.error.issues.map(issue => {
    const field = issue.path.length === 0 ? what : issue.path.join('.')
    return `${field}: ${issue.message}`
  })
  throw new InvalidRequestError(problems.join('; '))
}

function isPeerIdString (text: string): boolean {
  try {
    peerIdFromString(text)
    return true
  } catch {
    return false
  }
}
