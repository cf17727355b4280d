// The signed SessionModel: which model a session's round trains from, named by hash, and the rules it obeys.
import { assertFederationId, assertRoundId, DIGEST_BYTES, DOMAINS, WIRE } from '../messages/index.ts'
import type { SessionModel, SignedPayload } from '../messages/index.ts'
import { defineSignedDocument } from '../signing/index.ts'
import type { PeerId, PrivateKey } from '@libp2p/interface'
import { InvalidModelError } from './errors.ts'
import { SESSION_STATUSES } from './session.ts'
import type { SessionStatus } from './session.ts'
import { MAX_MODEL_PARAMETERS, MAX_SESSION_ROUNDS } from './settings.ts'

/** Session ids: the same alphabet and length as round ids. */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/

function refuse (field: string, expected: string, got: string | number): never {
  throw new InvalidModelError(`session model ${field}: expected ${expected}, got ${got}`)
}

/**
 * A running session's model names the round that takes updates from it; an ended session's
 * (completed or converged) names none, since no round follows the final model.
 */
export function validateSessionModel (model: SessionModel): SessionModel {
  assertFederationId(model.federationId)
  if (!SESSION_ID_PATTERN.test(model.sessionId)) refuse('sessionId', SESSION_ID_PATTERN.source, JSON.stringify(model.sessionId.slice(0, 160)))
  if (!(SESSION_STATUSES as readonly string[]).includes(model.status)) refuse('status', SESSION_STATUSES.join(' | '), JSON.stringify(model.status.slice(0, 40)))
  if (model.status === 'running') assertRoundId(model.roundId)
  else if (model.roundId !== '') refuse('roundId', 'none once the session has ended', model.roundId)
  if (model.modelHash.length !== DIGEST_BYTES) refuse('modelHash', `a ${DIGEST_BYTES}-byte SHA-256 digest`, `${model.modelHash.length} bytes`)
  if (model.parameterCount < 1 || model.parameterCount > MAX_MODEL_PARAMETERS) refuse('parameterCount', `1..${MAX_MODEL_PARAMETERS}`, model.parameterCount)
  if (model.rounds < 1 || model.rounds > MAX_SESSION_ROUNDS) refuse('rounds', `1..${MAX_SESSION_ROUNDS}`, model.rounds)
  if (model.round > model.rounds) refuse('round', `at most rounds (${model.rounds})`, model.round)
  if (model.epochs < 1) refuse('epochs', 'at least 1', model.epochs)
  if (!Number.isFinite(model.clip) || model.clip <= 0) refuse('clip', 'a finite number > 0', model.clip)
  if (!Number.isSafeInteger(model.issuedAtMs)) refuse('issuedAtMs', 'a unix time in ms', model.issuedAtMs)
  return model
}

const sessionModelDocument = defineSignedDocument({ domain: DOMAINS.model, codec: WIRE.SessionModel, validate: validateSessionModel })

/** Signs a session model (domain 'fedagg/model/1') with the coordinator's key. */
export async function signSessionModel (privateKey: PrivateKey, model: SessionModel): Promise<SignedPayload> {
  return sessionModelDocument.sign(privateKey, model)
}

/** Verifies a session model; it names no signer, so the roster's coordinator is required. */
export async function verifySessionModel (signed: SignedPayload, expectedCoordinator: PeerId | string): Promise<SessionModel> {
  return sessionModelDocument.verify(signed, expectedCoordinator)
}

export function sessionModelStatus (model: SessionModel): SessionStatus {
  return model.status as SessionStatus
}
