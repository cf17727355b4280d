// The control API's HTTP status for each typed error, in one explicit table keyed by error class, and the same table by name for the client.
import { CiphertextCountError, FoldInputError, InvalidAccumulatorError } from '../../protocol/aggregate/index.ts'
import {
  CorruptAggregateError, InvalidVectorSpecError, InvalidWeightError, NonFiniteValueError, TagCheckError, ValueOutOfRangeError, VectorLengthError
} from '../../protocol/encoding/index.ts'
import { FedaggError } from '../../protocol/errors.ts'
import { InvalidFederationIdError, InvalidRoundIdError, MalformedMessageError, MessageTooLargeError } from '../../protocol/messages/index.ts'
import {
  CiphertextNotInvertibleError, CiphertextOutOfRangeError, CiphertextWidthError, InvalidKeyBitsError, InvalidPrivateKeyError,
  InvalidPublicKeyError, KeyFormatError, KeyTooLongError, KeyTooShortError, PlaintextOutOfRangeError, RandomnessOutOfRangeError,
  UnsupportedKeyVersionError, DerivedHsMismatchError, BlumProofError
} from '../../protocol/paillier/index.ts'
import {
  CannotRemoveCoordinatorError, DuplicateMemberError, InvalidRoleError, InvalidRosterError, RosterMismatchError, StaleRosterError,
  UnknownMemberError
} from '../../protocol/roster/index.ts'
import {
  InvalidAnnouncementError, InvalidRoundDocumentError, InvalidRoundStateError, KeyFingerprintMismatchError, NotEligibleError,
  QuorumNotMetError, RoundClosedError, RoundDeadlinePassedError, RoundNotOpenError, SubmissionConflictError, SubmissionShapeError,
  UnknownRoundError, InvalidSubmissionStatementError, InvalidTagKeyError, MissingTagKeyError
} from '../../protocol/round/index.ts'
import {
  InvalidDomainError, InvalidPeerIdError, InvalidSignatureError, UnexpectedDomainError, UnexpectedSignerError, UnsupportedKeyTypeError
} from '../../protocol/signing/index.ts'
import { ConfigError } from '../../config/errors.ts'
import { DecryptorClosedError, EncryptorClosedError, InvalidPoolOptionsError, KeyGenerationError, PlaintextBatchWidthError, PoolDestroyedError, RandomizerBatchError } from '../crypto/errors.ts'
import { InsecureKeyFileError, KeyFileExistsError, KeyFileMissingError, KeyFileOwnerError, KeyFileSymlinkError } from '../files/secret-file.ts'
import { IdentityMismatchError, InvalidIdentityKeyError } from '../identity.ts'
import { InvalidPaillierKeyFileError, PaillierKeyExistsError } from '../keys/paillier-key-file.ts'
import { GossipStoppedError } from '../membership/federation-gossip.ts'
import { NoRosterError, PeerNotAuthorizedError } from '../membership/membership.ts'
import { ResultNotHeldError, RoleNotHeldError } from '../running-node.ts'
import {
  InvalidReceiptError, NoOpenRoundError, QuorumBelowClientFloorError, SubmissionDeadlineError, SubmissionRefusedError, SubmissionValuesChangedError,
  TagKeyRefusedError
} from '../services/client.ts'
import { InvalidRoundRequestError } from '../services/coordinator.ts'
import { AmbiguousRoundError, DeadlineOutOfRangeError, NotConnectedError, TooManyOpenRoundsError } from '../services/errors.ts'
import { UnprovenKeyError } from '../services/key-proof.ts'
import { NotCoordinatorError } from '../services/membership-service.ts'
import {
  AsyncTransactionError, IllegalRoundTransitionError, InvalidClosingError, InvalidStoreInputError, ReceiptConflictError,
  RosterVersionNotNewerError, RoundAlreadyDecryptedError, RoundAnnouncementConflictError,
  StoreConfigurationError, StoreSchemaTooNewError, SubmissionReplayedStoreError, TagKeyConflictStoreError, UnknownResultError,
  UnknownSubmissionError
} from '../store/index.ts'
import { StreamClosedError, StreamLeftOpenError } from '../streams/exchange.ts'
import { TrainingRoundConflictError } from '../store/errors.ts'
import {
  InvalidUpdateError, ModelPendingError, SessionClosedError, SessionNotFoundError, StaleRoundError, TrainingRoleError
} from '../training/errors.ts'
import { IllegalSessionTransitionError, InvalidModelError, InvalidSessionSettingsError } from '../../protocol/training/index.ts'
import {
  ForbiddenHostError, InvalidRequestError, MethodNotAllowedError, NonLoopbackHostError, RequestBodyTooLargeError, ResultPendingError,
  RouteNotFoundError, TrainingUnavailableError, UnauthorizedError
} from './errors.ts'

/** A typed error class, whatever its constructor's parameters. */
export type FedaggErrorClass = abstract new (...args: never[]) => FedaggError

/**
 * Every FedaggError class a daemon may throw while serving a request, with the status it answers.
 * Reading guide: 400 the request is malformed; 401/403 the caller or this node lacks the standing;
 * 404 what the request names does not exist; 409 well-formed but the current state refuses it;
 * 413 body too large; 422 well-formed but the protocol refuses its content or a peer's documents;
 * 500 a broken invariant or local fault below the API (a bug, a corrupted store, a bad key file);
 * 503 the node is stopping. A subclass without its own row answers its parent's status.
 */
const ERROR_STATUS: ReadonlyArray<readonly [FedaggErrorClass, number]> = [
  // The control API's own refusals.
  [InvalidRequestError, 400],
  [UnauthorizedError, 401],
  [ForbiddenHostError, 403],
  [RouteNotFoundError, 404],
  [MethodNotAllowedError, 405],
  [ResultPendingError, 409],
  [RequestBodyTooLargeError, 413],
  [NonLoopbackHostError, 500],

  // Malformed input in the request: values, vector specs, ids, keys.
  [InvalidRoundRequestError, 400],
  [DeadlineOutOfRangeError, 400],
  [InvalidVectorSpecError, 400],
  [InvalidWeightError, 400],
  [VectorLengthError, 400],
  [ValueOutOfRangeError, 400],
  [NonFiniteValueError, 400],
  [InvalidFederationIdError, 400],
  [InvalidRoundIdError, 400],
  [InvalidPeerIdError, 400],
  [InvalidAnnouncementError, 400],
  [InvalidRosterError, 400],
  [InvalidKeyBitsError, 400],
  [KeyTooShortError, 400],
  [KeyTooLongError, 400],
  [PlaintextOutOfRangeError, 400],
  [InvalidSessionSettingsError, 400],
  [InvalidModelError, 400],
  [InvalidUpdateError, 400],

  // The caller's node, or the peer, lacks the role or standing.
  [InvalidRoleError, 403],
  [NotCoordinatorError, 403],
  [RoleNotHeldError, 403],
  [ResultNotHeldError, 410],
  [PeerNotAuthorizedError, 403],
  [NotEligibleError, 403],
  [TrainingRoleError, 403],

  // What the request names does not exist here.
  [UnknownRoundError, 404],
  [UnknownMemberError, 404],
  [UnknownResultError, 404],
  [UnknownSubmissionError, 404],
  [SessionNotFoundError, 404],

  // Well-formed, but the state of the round, roster or store refuses it now.
  [NoRosterError, 409],
  [NoOpenRoundError, 409],
  [AmbiguousRoundError, 409],
  [NotConnectedError, 409],
  [TooManyOpenRoundsError, 409],
  [DuplicateMemberError, 409],
  [CannotRemoveCoordinatorError, 409],
  [StaleRosterError, 409],
  [RosterVersionNotNewerError, 409],
  [RoundClosedError, 409],
  [RoundNotOpenError, 409],
  [RoundDeadlinePassedError, 409],
  [RoundAlreadyDecryptedError, 409],
  [RoundAnnouncementConflictError, 409],
  [SubmissionConflictError, 409],
  [SubmissionDeadlineError, 409],
  [ReceiptConflictError, 409],
  [PaillierKeyExistsError, 409],
  [StreamClosedError, 409],
  [ModelPendingError, 409],
  [StaleRoundError, 409],
  [SessionClosedError, 409],

  // Well-formed, but the protocol refuses the content or a peer's documents.
  [SubmissionValuesChangedError, 422],
  [SubmissionRefusedError, 422],
  [TagKeyRefusedError, 422],
  [TagKeyConflictStoreError, 422],
  [InvalidTagKeyError, 422],
  [InvalidSubmissionStatementError, 422],
  [QuorumBelowClientFloorError, 422],
  [TagCheckError, 422],
  [MissingTagKeyError, 422],
  [SubmissionReplayedStoreError, 422],
  [SubmissionShapeError, 422],
  [QuorumNotMetError, 422],
  [KeyFingerprintMismatchError, 422],
  [InvalidRoundDocumentError, 422],
  [InvalidReceiptError, 422],
  [RosterMismatchError, 422],
  [InvalidSignatureError, 422],
  [UnexpectedSignerError, 422],
  [UnexpectedDomainError, 422],
  [InvalidDomainError, 422],
  [UnsupportedKeyTypeError, 422],
  [MalformedMessageError, 422],
  [MessageTooLargeError, 422],
  [InvalidPublicKeyError, 422],
  // A coordinator key whose h_s is not the one derived from n, or whose modulus proof fails.
  [DerivedHsMismatchError, 422],
  [BlumProofError, 422],
  [UnprovenKeyError, 422],
  [CiphertextOutOfRangeError, 422],
  [CiphertextNotInvertibleError, 422],
  [CiphertextWidthError, 422],
  [CiphertextCountError, 422],
  [CorruptAggregateError, 422],
  [StreamLeftOpenError, 422],

  // A broken invariant or a local fault: the request was fine, this node is not.
  [InvalidRoundStateError, 500],
  [IllegalRoundTransitionError, 500],
  [InvalidClosingError, 500],
  [InvalidStoreInputError, 500],
  [AsyncTransactionError, 500],
  [StoreConfigurationError, 500],
  [StoreSchemaTooNewError, 500],
  [InvalidAccumulatorError, 500],
  [FoldInputError, 500],
  [PlaintextBatchWidthError, 500],
  [RandomnessOutOfRangeError, 500],
  [InvalidPoolOptionsError, 500],
  [EncryptorClosedError, 500],
  [DecryptorClosedError, 500],
  [PoolDestroyedError, 500],
  [RandomizerBatchError, 500],
  [InvalidPrivateKeyError, 500],
  [UnsupportedKeyVersionError, 500],
  [KeyFormatError, 500],
  [KeyGenerationError, 500],
  [InvalidPaillierKeyFileError, 500],
  [InsecureKeyFileError, 500],
  [KeyFileMissingError, 500],
  [KeyFileExistsError, 500],
  [KeyFileOwnerError, 500],
  [KeyFileSymlinkError, 500],
  [InvalidIdentityKeyError, 500],
  [IdentityMismatchError, 500],
  [ConfigError, 500],
  [IllegalSessionTransitionError, 500],
  [TrainingRoundConflictError, 500],

  // The node is shutting down under the request.
  [GossipStoppedError, 503],
  // A bare FederationNode without training sessions.
  [TrainingUnavailableError, 503]
]

const STATUS_BY_CLASS: ReadonlyMap<FedaggErrorClass, number> = new Map(ERROR_STATUS)
const CLASS_BY_NAME: ReadonlyMap<string, FedaggErrorClass> = new Map(ERROR_STATUS.map(([errorClass]) => [errorClass.name, errorClass]))

/**
 * DOMException is one class for many failures, told apart by name only: AbortSignal.timeout()
 * rejects with a TimeoutError, an aborted signal with an AbortError.
 */
const DOM_EXCEPTION_STATUS: Readonly<Record<string, number>> = { TimeoutError: 504, AbortError: 503 }

/** A FedaggError class without a row of its own or of an ancestor: well-formed, refused by the protocol. */
export const DEFAULT_FEDAGG_STATUS = 422

/**
 * The HTTP status for an error thrown while serving a request: the row of its class (or its
 * nearest ancestor), DEFAULT_FEDAGG_STATUS for any other FedaggError, DOM_EXCEPTION_STATUS for
 * timeouts and aborts, and 500 for anything else (a bug or an unexpected failure below us).
 */
export function statusForError (err: unknown): number {
  if (err instanceof DOMException) return DOM_EXCEPTION_STATUS[err.name] ?? 500
  if (!(err instanceof FedaggError)) return 500
  for (let proto: object | null = Object.getPrototypeOf(err); proto !== null && proto !== FedaggError.prototype; proto = Object.getPrototypeOf(proto)) {
    const status = STATUS_BY_CLASS.get(proto.constructor as FedaggErrorClass)
    if (status !== undefined) return status
  }
  return DEFAULT_FEDAGG_STATUS
}

/** Whether the table has a row for exactly this class (tests check every class has one). */
export function hasErrorStatus (errorClass: FedaggErrorClass): boolean {
  return STATUS_BY_CLASS.has(errorClass)
}

/** The class of an error the daemon answered with, from the name in the response body; undefined for names not in the table. */
export function errorClassNamed (name: string): FedaggErrorClass | undefined {
  return CLASS_BY_NAME.get(name)
}
