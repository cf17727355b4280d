// Typed failures of building, checking and updating the federation roster.
import { FedaggError } from '../errors.ts'

/** The roster breaks a structural rule (sizes, names, addresses, versions, coordinator entry). */
export class InvalidRosterError extends FedaggError {
  static override name = 'InvalidRosterError'
}

/** A peer listed twice, or added while already a member. */
export class DuplicateMemberError extends FedaggError {
  static override name = 'DuplicateMemberError'
}

/** An operation names a peer that is not in the roster. */
export class UnknownMemberError extends FedaggError {
  static override name = 'UnknownMemberError'
}

/** Removing the coordinator, or taking its coordinator role away, would orphan the federation. */
export class CannotRemoveCoordinatorError extends FedaggError {
  static override name = 'CannotRemoveCoordinatorError'
}

/** An unknown role, a repeated role, no role at all, or 'coordinator' on anyone but roster.coordinator. */
export class InvalidRoleError extends FedaggError {
  static override name = 'InvalidRoleError'
}

/** An incoming roster whose version is not newer than the one held. */
export class StaleRosterError extends FedaggError {
  static override name = 'StaleRosterError'
}

/** An incoming roster for another federation or under another coordinator. */
export class RosterMismatchError extends FedaggError {
  static override name = 'RosterMismatchError'
}
