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
  const cases: Array<[string, number]> = [
    ['InvalidRequestError', 400],
    ['UnauthorizedError', 401],
    ['RoundNotFoundError', 404],
    ['MemberNotFoundError', 404],
    ['NotCoordinatorError', 403],
    ['NotClientError', 403],
    ['ClientNotEligibleError', 403],
    ['RoleError', 403],
    ['NodeNotStartedError', 503],
    ['InvalidVectorSpecError', 400],
    ['VectorLengthMismatchError', 400],
    ['ValueOutOfRangeError', 400],
    ['DuplicateSubmissionError', 409],
    ['RoundClosedError', 409],
    ['ResultPendingError', 409],
    ['RequestBodyTooLargeError', 413],
    ['TimeoutError', 504],
    ['QuorumNotReachedError', 422]
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
