// Typed errors of a node's training sessions, named as the control API and the Python client name them.
import { FedaggError } from '../../protocol/errors.ts'

/** No session by that id (or none at all) is known to this node. */
export class SessionNotFoundError extends FedaggError {
  static override name = 'SessionNotFoundError'
}

/** No model newer than the one asked about arrived within the wait. */
export class ModelPendingError extends FedaggError {
  static override name = 'ModelPendingError'
}

/** An update for a round that is not the session's current round on this node. */
export class StaleRoundError extends FedaggError {
  static override name = 'StaleRoundError'
}

/** The session has ended (completed or converged): it takes no more updates. */
export class SessionClosedError extends FedaggError {
  static override name = 'SessionClosedError'
}

/** The update does not fit the session's model (wrong length). */
export class InvalidUpdateError extends FedaggError {
  static override name = 'InvalidUpdateError'
}

/** A training call this node's roles do not allow (a client starting a session, a coordinator submitting). */
export class TrainingRoleError extends FedaggError {
  static override name = 'TrainingRoleError'
}
