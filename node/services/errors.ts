// Typed refusals of round control shared by the role services: deadlines, open-round limits, closed rounds.
import { FedaggError } from '../../protocol/errors.ts'

/** A round's deadline beyond round.maxDeadlineSeconds, or not a positive finite number of seconds. */
export class DeadlineOutOfRangeError extends FedaggError {
  static override name = 'DeadlineOutOfRangeError'
}

/** The aggregator already runs round.maxOpenRoundsPerAggregator open rounds. */
export class TooManyOpenRoundsError extends FedaggError {
  static override name = 'TooManyOpenRoundsError'
}

/** Several open rounds fit and none was named: the operator must choose, not the node. */
export class AmbiguousRoundError extends FedaggError {
  static override name = 'AmbiguousRoundError'
}

/** The node is not (yet, or no longer) admitted to its federation: nothing can be submitted or fetched. */
export class NotConnectedError extends FedaggError {
  static override name = 'NotConnectedError'
}
