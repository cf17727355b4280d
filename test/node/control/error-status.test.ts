// Tests the control API's class-keyed status table: the statuses, its completeness over every typed error, and matching by class, never by name.
import assert from 'node:assert/strict'
import { readFileSync, readdirSync } from 'node:fs'
import { join, relative } from 'node:path'
import { DEFAULT_FEDAGG_STATUS, errorClassNamed, hasErrorStatus, statusForError } from '../../../node/control/error-status.ts'
import type { FedaggErrorClass } from '../../../node/control/error-status.ts'
import { ControlApiError, ForbiddenHostError, InvalidRequestError, RequestBodyTooLargeError, ResultPendingError, UnauthorizedError } from '../../../node/control/errors.ts'
import { NoRosterError, PeerNotAuthorizedError } from '../../../node/membership/membership.ts'
import { RoleNotHeldError } from '../../../node/running-node.ts'
import { NoOpenRoundError, SubmissionRefusedError } from '../../../node/services/client.ts'
import { InvalidRoundRequestError } from '../../../node/services/coordinator.ts'
import { NotCoordinatorError } from '../../../node/services/membership-service.ts'
import { GossipStoppedError } from '../../../node/membership/federation-gossip.ts'
import { IllegalRoundTransitionError, RoundAlreadyDecryptedError } from '../../../node/store/index.ts'
import { CorruptAggregateError, NonFiniteValueError, ValueOutOfRangeError, VectorLengthError } from '../../../protocol/encoding/index.ts'
import { FedaggError } from '../../../protocol/errors.ts'
import { MalformedMessageError, MessageTooLargeError } from '../../../protocol/messages/index.ts'
import { DuplicateMemberError, StaleRosterError, UnknownMemberError } from '../../../protocol/roster/index.ts'
import {
  NotEligibleError, QuorumNotMetError, RoundClosedError, RoundDeadlinePassedError, RoundNotOpenError, SubmissionConflictError,
  UnknownRoundError
} from '../../../protocol/round/index.ts'

const ROOT = new URL('../../../', import.meta.url).pathname

/** An instance of the class without running its constructor (several take more than a message). */
function instanceOf (errorClass: FedaggErrorClass): FedaggError {
  return Object.create(errorClass.prototype) as FedaggError
}

/**
 * Typed errors that never reach the control API, each with the reason: they are thrown by the CLI,
 * the control client, the local launcher or daemon start-up, never while a daemon serves
 * a request.
 */
const OUTSIDE_THE_API: Record<string, string> = {
  UsageError: 'CLI argument parsing',
  AlreadyInitializedError: 'fedagg init',
  NotInitializedError: 'CLI, before any daemon is reached',
  InvalidValuesError: 'CLI value parsing',
  DaemonNotRunningError: 'control client',
  InvalidControlFileError: 'control client',
  ControlApiError: 'control client: the daemon answered with an error',
  InterruptedError: 'fedagg local',
  ChildProcessFailedError: 'local launcher',
  LocalFederationError: 'local launcher',
  PollTimeoutError: 'local launcher',
  DaemonStartFailedError: 'local launcher',
  DaemonAlreadyRunningError: 'daemon start-up, before the control API listens',
  ListenFailedError: 'daemon start-up, before the control API listens',
  DaemonConnectionLostError: 'control client: the daemon went away mid-request',
  InvalidConfigFileError: 'fedagg config check',
  NoEligibleClientsError: 'CLI round open, before a request is sent',
  NoRoundsError: 'CLI round result, before a result is asked for',
  RoundUnsuccessfulError: 'CLI round result: the exit status of a failed round',
  SpamDemoError: 'fedagg demo spam, in the CLI process',
  PythonTrainerFailedError: 'fedagg demo spam: a Python trainer process failed',
  InvalidSampleError: 'spam demo corpus loading, in the CLI process',
  InvalidSplitError: 'spam demo sharding, in the CLI process',
  InvalidTrainingOptionError: 'spam demo trainer options, in the CLI process'
}

/** Every .ts file under protocol/ and node/ that declares an error class. */
function filesDeclaringErrors (): string[] {
  const found: string[] = []
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) {
        if (entry.name !== 'generated') walk(path)
      } else if (entry.name.endsWith('.ts') && /class \w+ extends \w*Error\b/.test(readFileSync(path, 'utf8'))) {
        found.push(path)
      }
    }
  }
  walk(join(ROOT, 'protocol'))
  walk(join(ROOT, 'node'))
  return found
}

describe('node/control/error-status', () => {
  const cases: Array<[FedaggErrorClass, number]> = [
    [InvalidRequestError, 400],
    [InvalidRoundRequestError, 400],
    [VectorLengthError, 400],
    [ValueOutOfRangeError, 400],
    [NonFiniteValueError, 400],
    [UnauthorizedError, 401],
    [ForbiddenHostError, 403],
    [NotCoordinatorError, 403],
    [NotEligibleError, 403],
    [RoleNotHeldError, 403],
    [PeerNotAuthorizedError, 403],
    [UnknownRoundError, 404],
    [UnknownMemberError, 404],
    [DuplicateMemberError, 409],
    [SubmissionConflictError, 409],
    [RoundClosedError, 409],
    [RoundNotOpenError, 409],
    [RoundDeadlinePassedError, 409],
    [RoundAlreadyDecryptedError, 409],
    [NoOpenRoundError, 409],
    [NoRosterError, 409],
    [StaleRosterError, 409],
    [ResultPendingError, 409],
    [RequestBodyTooLargeError, 413],
    [QuorumNotMetError, 422],
    [SubmissionRefusedError, 422],
    [CorruptAggregateError, 422],
    [MalformedMessageError, 422],
    [IllegalRoundTransitionError, 500],
    [GossipStoppedError, 503]
  ]
  for (const [errorClass, status] of cases) {
    it(`maps ${errorClass.name} to ${status}`, () => {
      assert.equal(statusForError(instanceOf(errorClass)), status)
    })
  }

  it('has a row for every typed error a daemon can throw, and knows which ones never reach it', async () => {
    const files = filesDeclaringErrors()
    assert.ok(files.length > 10, `expected the error modules, found ${files.length}`)
    const missing: string[] = []
    const outside = new Set<string>()
    for (const file of files) {
      const exports = await import(file) as Record<string, unknown>
      for (const value of Object.values(exports)) {
        if (typeof value !== 'function' || !(value.prototype instanceof FedaggError)) continue
        const errorClass = value as FedaggErrorClass
        if (errorClass.name in OUTSIDE_THE_API) outside.add(errorClass.name)
        else if (!hasErrorStatus(errorClass)) missing.push(`${errorClass.name} (${relative(ROOT, file)})`)
      }
    }
    assert.deepEqual(missing, [], 'add each to ERROR_STATUS in node/control/error-status.ts, or to OUTSIDE_THE_API here with the reason')
    assert.deepEqual([...outside].sort(), Object.keys(OUTSIDE_THE_API).sort(), 'OUTSIDE_THE_API names a class that no longer exists')
  })

  it('matches by class: a subclass answers its parent\'s status, a look-alike name answers nothing', () => {
    class NarrowerClosedError extends RoundClosedError {
      static override name = 'NarrowerClosedError'
    }
    assert.equal(statusForError(new NarrowerClosedError('x')), 409)
    assert.equal(statusForError(instanceOf(MessageTooLargeError)), 422)
    const lookAlike = new Error('x')
    lookAlike.name = 'RoundClosedError'
    assert.equal(statusForError(lookAlike), 500)
  })

  it('answers a FedaggError without a row with the deliberate default, and anything else with 500', () => {
    class UnlistedError extends FedaggError {
      static override name = 'UnlistedError'
    }
    assert.equal(statusForError(new UnlistedError('x')), DEFAULT_FEDAGG_STATUS)
    assert.equal(DEFAULT_FEDAGG_STATUS, 422)
    assert.equal(statusForError(new TypeError('x')), 500)
    assert.equal(statusForError('a string'), 500)
  })

  it('maps the platform\'s timeout and abort DOMExceptions', () => {
    assert.equal(statusForError(new DOMException('t', 'TimeoutError')), 504)
    assert.equal(statusForError(new DOMException('a', 'AbortError')), 503)
    assert.equal(statusForError(new DOMException('d', 'DataCloneError')), 500)
  })

  it('gives the client each class back by the name in the response body', () => {
    assert.equal(errorClassNamed('ResultPendingError'), ResultPendingError)
    assert.equal(errorClassNamed('UnknownRoundError'), UnknownRoundError)
    assert.equal(errorClassNamed('TypeError'), undefined)
    const remote = new ControlApiError('ResultPendingError', 'not yet', 409, errorClassNamed('ResultPendingError'))
    assert.ok(remote.is(ResultPendingError))
    assert.ok(remote.is(FedaggError))
    assert.ok(!remote.is(UnknownRoundError))
    assert.equal(remote.name, 'ResultPendingError')
    assert.ok(!new ControlApiError('TypeError', 'boom', 500, errorClassNamed('TypeError')).is(FedaggError))
  })
})
