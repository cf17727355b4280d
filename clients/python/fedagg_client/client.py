"""ControlClient: the training endpoints of a running fedagg daemon's control API, over urllib and numpy only."""
import base64
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request

import numpy as np

from .errors import ControlApiError, DaemonNotRunningError, InvalidControlFileError, ModelPendingError, error_for

CONTROL_FILE = "control.json"

# The daemon caps one long-poll at 240 s (under common HTTP client header timeouts);
# longer waits are split into several long-polls.
MAX_WAIT_SECONDS = 240

# Extra time the HTTP request may take beyond its long-poll wait before we give up on the daemon.
LONG_POLL_SLACK_SECONDS = 15

# POST .../updates encrypts the whole update and streams it to the aggregator before it answers.
DEFAULT_TIMEOUT_SECONDS = 120


def encode_parameters(values):
    """Model parameters on the wire: float64 little-endian, base64 (8 bytes a value; JSON numbers take ~20)."""
    array = np.ascontiguousarray(values, dtype="<f8")
    if array.ndim != 1:
        raise ValueError(f"expected a 1-d vector of parameters, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError("expected finite parameters, got NaN or infinity")
    return base64.b64encode(array.tobytes()).decode("ascii")


def decode_parameters(text):
    """Inverse of encode_parameters: a writable float64 numpy vector."""
    return np.frombuffer(base64.b64decode(text), dtype="<f8").astype(np.float64)


class ControlClient:
    """Talks to the daemon whose ``<data_dir>/control.json`` names its URL and bearer token."""

    def __init__(self, data_dir=None, url=None, token=None, timeout_s=DEFAULT_TIMEOUT_SECONDS):
        if data_dir is not None:
            url, token = _read_control_file(data_dir)
        if url is None or token is None:
            raise InvalidControlFileError("expected data_dir, or both url and token")
        self.url = url.rstrip("/")
        self._token = token
        self.timeout_s = timeout_s

    # Node and sessions

    def status(self):
        return self._request("GET", "/status")

    def sessions(self):
        """Sessions this node knows, newest first."""
        return self._request("GET", "/sessions")

    def session(self, session_id):
        """One session: settings, status and each round's record (who contributed)."""
        return self._request("GET", f"/sessions/{_quote(session_id)}")

    def start_session(self, parameter_count=None, initial_model=None, **settings):
        """Coordinator only: starts a session. ``settings`` use the API's names (rounds, minParticipants, ...)."""
        body = dict(settings)
        if initial_model is not None:
            body["initialModelBase64"] = encode_parameters(initial_model)
        if parameter_count is not None:
            body["parameterCount"] = int(parameter_count)
        return self._request("POST", "/sessions", body)

    # Training

    def current_model(self, session_id=None):
        """(session_id, round, parameters, info) of the newest model this node holds for the session
        (the newest session when ``session_id`` is None). ``info`` holds modelHash, roundId, epochs,
        clip, rounds and final (True once the session has ended: no more updates are taken)."""
        return _model_tuple(self._request("GET", f"/sessions/{_session_path(session_id)}/model"))

    def wait_for_model(self, session_id, after_round, timeout_s):
        """The first model of a round later than ``after_round`` (or the session's final model),
        waiting up to ``timeout_s`` seconds; raises ModelPendingError when none comes in time."""
        deadline = time.monotonic() + timeout_s
        path = f"/sessions/{_session_path(session_id)}/model"
        while True:
            wait = max(0.0, min(deadline - time.monotonic(), MAX_WAIT_SECONDS))
            query = urllib.parse.urlencode({"after": int(after_round), "wait": f"{wait:.3f}"})
            try:
                return _model_tuple(self._request("GET", f"{path}?{query}", timeout_s=wait + LONG_POLL_SLACK_SECONDS))
            except ModelPendingError:
                if time.monotonic() >= deadline:
                    raise

    def submit_update(self, session_id, round, update, weight):
        """Encrypts ``update`` (local − global, clipped by the node to the session's bound) with integer
        ``weight`` (the local sample count) for ``round`` of the session; returns the aggregator's receipt."""
        if isinstance(weight, bool) or int(weight) != weight or weight < 1:
            raise ValueError(f"weight: expected an integer >= 1 (the local sample count), got {weight!r}")
        body = {"round": int(round), "updateBase64": encode_parameters(update), "weight": int(weight)}
        return self._request("POST", f"/sessions/{_quote(session_id)}/updates", body)

    # HTTP

    def _request(self, method, path, body=None, timeout_s=None):
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Authorization", f"Bearer {self._token}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=timeout_s or self.timeout_s) as response:
                return json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as err:
            raise _answer_error(err) from None
        except urllib.error.URLError as err:
            if isinstance(err.reason, ConnectionRefusedError):
                raise DaemonNotRunningError(f"nothing answers at {self.url}: the daemon has stopped (stale control.json?)") from None
            raise


def _read_control_file(data_dir):
    path = os.path.join(data_dir, CONTROL_FILE)
    try:
        with open(path, encoding="utf-8") as file:
            text = file.read()
    except FileNotFoundError:
        raise DaemonNotRunningError(f"no {CONTROL_FILE} in {data_dir}: is `fedagg start` running with this --data-dir?") from None
    try:
        parsed = json.loads(text)
    except ValueError:
        # The parser's message would quote the file, which holds the token.
        raise InvalidControlFileError(f"{path}: expected JSON {{ url, token }}, got unparsable text") from None
    url = parsed.get("url") if isinstance(parsed, dict) else None
    token = parsed.get("token") if isinstance(parsed, dict) else None
    if not isinstance(url, str) or not url.startswith("http://") or not isinstance(token, str) or token == "":
        raise InvalidControlFileError(f"{path}: expected {{ url: http URL, token: string }}")
    return url, token


def _answer_error(err):
    text = err.read().decode("utf-8", errors="replace")
    try:
        error = json.loads(text)["error"]
        return error_for(str(error["name"]), str(error["message"]), err.code)
    except (ValueError, KeyError, TypeError):
        return ControlApiError("ControlApiError", f"HTTP {err.code}: {text[:200]}", err.code)


def _model_tuple(view):
    parameters = decode_parameters(view["parametersBase64"])
    info = {key: value for key, value in view.items() if key not in ("parametersBase64", "sessionId", "round")}
    return view["sessionId"], view["round"], parameters, info


def _session_path(session_id):
    # 'latest' names the newest session the node knows.
    return "latest" if session_id is None else _quote(session_id)


def _quote(text):
    return urllib.parse.quote(str(text), safe="")
