// Tests the mapping from error names to control API HTTP statuses.
import assert from 'node:assert/strict'
import { statusForError } from '../../../node/control/error-status.ts'
import { FedaggError } from '../../../protocol/errors.ts'

function named (name: string, base: new (message: string) => Error = FedaggError): Error {
  const err = new base('x')
  err.name = name
  return err
}

describe('node/control/error-status', () => {
  // Names the node actually throws (node/, protocol/), plus the control layer's own.
  const cases: Array<[string, number]> = [
    ['InvalidRequestError', 400],
    ['UnauthorizedError', 401],
    ['RoundNotFoundError', 404],
    ['UnknownRoundError', 404],
    ['UnknownMemberError', 404],
    ['NotCoordinatorError', 403],
    ['NotEligibleError', 403],
    ['RoleNotHeldError', 403],
    ['PeerNotAuthorizedError', 403],
    ['NodeNotStartedError', 503],
    ['InvalidVectorSpecError', 400],
    ['InvalidRoundRequestError', 400],
    ['VectorLengthError', 400],
    ['ValueOutOfRangeError', 400],
    ['NonFiniteValueError', 400],
    ['DuplicateMemberError', 409],
    ['SubmissionConflictError', 409],
    ['RoundClosedError', 409],
    ['RoundNotOpenError', 409],
    ['RoundDeadlinePassedError', 409],
    ['RoundAlreadyDecryptedError', 409],
    ['CannotRemoveCoordinatorError', 409],
    ['NoOpenRoundError', 409],
    ['NoRosterError', 409],
    ['StaleRosterError', 409],
    ['ResultPendingError', 409],
    ['RequestBodyTooLargeError', 413],
    ['TimeoutError', 504],
    ['QuorumNotMetError', 422],
    ['SubmissionRejectedError', 422]
  ]
  for (const [name, status] of cases) {
    it(`maps ${name} to ${status}`, () => {
      assert.equal(statusForError(named(name)), status)
    })
  }

  it('maps errors that are not FedaggErrors to 500, unless their name says otherwise', () => {
    assert.equal(statusForError(new TypeError('x')), 500)
    assert.equal(statusForError(named('SomeLibraryError', Error)), 500)
    assert.equal(statusForError('a string'), 500)
    assert.equal(statusForError(new DOMException('t', 'TimeoutError')), 504)
  })
})
