"""Typed errors of the fedagg control API, one class per error name the daemon answers with."""


class FedaggClientError(Exception):
    """Base of every error this package raises."""


class DaemonNotRunningError(FedaggClientError):
    """No control.json in the data directory, or nothing answers at its URL."""


class InvalidControlFileError(FedaggClientError):
    """control.json exists but is not ``{"url": ..., "token": ...}``."""


class ControlApiError(FedaggClientError):
    """An error the daemon answered with: ``name`` is the daemon's error name, ``status`` the HTTP status."""

    def __init__(self, name, message, status):
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message
        self.status = status


# The daemon's error names this package maps to their own class; any other name
# arrives as a plain ControlApiError carrying that name.
class InvalidRequestError(ControlApiError):
    pass


class UnauthorizedError(ControlApiError):
    pass


class RoleNotHeldError(ControlApiError):
    pass


class SessionNotFoundError(ControlApiError):
    pass


class ModelPendingError(ControlApiError):
    """No model newer than the one asked about arrived within the wait."""


class StaleRoundError(ControlApiError):
    """The update names a round that is not the session's current round on this node."""


class SessionClosedError(ControlApiError):
    """The session has ended (completed, converged or failed): no more updates are taken."""


class NoOpenRoundError(ControlApiError):
    pass


class SubmissionRefusedError(ControlApiError):
    pass


class SubmissionDeadlineError(ControlApiError):
    pass


class SubmissionValuesChangedError(ControlApiError):
    pass


_BY_NAME = {
    cls.__name__: cls
    for cls in (
        InvalidRequestError, UnauthorizedError, RoleNotHeldError, SessionNotFoundError,
        ModelPendingError, StaleRoundError, SessionClosedError, NoOpenRoundError,
        SubmissionRefusedError, SubmissionDeadlineError, SubmissionValuesChangedError,
    )
}


def error_for(name, message, status):
    """The typed error for the daemon's ``{"error": {"name", "message"}}`` answer."""
    return _BY_NAME.get(name, ControlApiError)(name, message, status)
