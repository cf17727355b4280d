"""Python client of a fedagg node's control API: train with your own code, aggregate securely through the node."""
from .client import ControlClient, decode_parameters, encode_parameters
from .errors import (
    ControlApiError, DaemonNotRunningError, FedaggClientError, InvalidControlFileError,
    InvalidRequestError, ModelPendingError, NoOpenRoundError, RoleNotHeldError, SessionClosedError,
    SessionNotFoundError, StaleRoundError, SubmissionDeadlineError, SubmissionRefusedError,
    SubmissionValuesChangedError, UnauthorizedError,
)

__all__ = [
    "ControlClient", "decode_parameters", "encode_parameters",
    "ControlApiError", "DaemonNotRunningError", "FedaggClientError", "InvalidControlFileError",
    "InvalidRequestError", "ModelPendingError", "NoOpenRoundError", "RoleNotHeldError",
    "SessionClosedError", "SessionNotFoundError", "StaleRoundError", "SubmissionDeadlineError",
    "SubmissionRefusedError", "SubmissionValuesChangedError", "UnauthorizedError",
]
