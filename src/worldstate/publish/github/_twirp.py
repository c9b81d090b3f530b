"""Calls to the artifact service: Twirp over JSON, with the official client's retry policy.

A call is retried (up to :data:`MAX_ATTEMPTS` attempts in all) when the answer is 429 or a 5xx
gateway/server error, when a success carries a body that is not JSON, and when the connection
failed or dropped.  Waits: 3 s, then a random time in ``[3·1.5ⁿ, 3·1.5ⁿ⁺¹)`` s; a
``Retry-After`` header wins.  Never retried: other 4xx answers and a used-up storage quota.
An error body that is empty or not JSON is classified by its status alone.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Final, TypeVar

import httpx
import msgspec
import tenacity

from worldstate.clock import Clock
from worldstate.publish.github._errors import QuotaError, ServiceError
from worldstate.publish.github._messages import decode_response

__all__ = ["TwirpClient", "MAX_ATTEMPTS", "backoff_bounds", "SERVICE"]

_log = logging.getLogger(__name__)

SERVICE: Final = "github.actions.results.api.v1.ArtifactService"
MAX_ATTEMPTS: Final = 5
RETRYABLE_STATUSES: Final = frozenset({429, 500, 502, 503, 504})
BASE_WAIT_S: Final = 3.0
WAIT_MULTIPLIER: Final = 1.5
MAX_RETRY_AFTER_S: Final = 300.0
_QUOTA_MARKER: Final = "insufficient usage"

_T = TypeVar("_T", bound=msgspec.Struct)


def backoff_bounds(retry_number: int) -> tuple[float, float]:
    """The wait range (seconds) before retry ``retry_number`` (1 = the first retry)."""
    if retry_number <= 1:
        return BASE_WAIT_S, BASE_WAIT_S
    low = BASE_WAIT_S * WAIT_MULTIPLIER ** (retry_number - 1)
    return low, low * WAIT_MULTIPLIER


class _Retryable(ServiceError):
    """A failed attempt worth another try; ``retry_after`` is the server's wish, if any."""

    def __init__(self, message: str, *, status: int | None, retry_after: float | None) -> None:
        self.retry_after = retry_after
        super().__init__(message, status=status, retryable=True)


class TwirpClient:
    """POSTs JSON Twirp calls to ``<origin>/twirp/<service>/<method>``.

    Args:
        origin: the service origin (``https://results-receiver.actions.githubusercontent.com``).
        token: the bearer token.
        http: the HTTP client to send through.
        timeout_s: how long a call may wait for bytes before it counts as failed.
        sleep: waits between attempts (``time.sleep``; tests record instead).
        clock: the time, for ``Retry-After`` given as an HTTP date.
        jitter: draws a wait from a range (``random.uniform``).
        user_agent: sent with every call.
    """

    def __init__(
        self,
        *,
        origin: str,
        token: str,
        http: httpx.Client,
        timeout_s: float,
        sleep: Callable[[float], None],
        clock: Clock,
        jitter: Callable[[float, float], float] = random.uniform,
        user_agent: str,
    ) -> None:
        self._origin = origin
        self._http = http
        self._timeout = httpx.Timeout(timeout_s)
        self._sleep = sleep
        self._clock = clock
        self._jitter = jitter
        self._headers = {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
            "User-Agent": user_agent,
        }

    def call(
        self,
        method: str,
        request: msgspec.Struct,
        response_type: type[_T],
        *,
        before_retry: Callable[[], _T | None] | None = None,
    ) -> _T:
        """Call ``method`` and decode its answer, retrying what is worth retrying.

        Args:
            before_retry: asked before every retry; an answer other than ``None`` is returned
                instead of trying again (how a call that may have taken effect is checked).

        Raises:
            QuotaError: the storage quota is used up.
            ServiceError: a failure that is not retried (HTTP 409, code ``already_exists``, when
                the name is taken), or every attempt failed.
        """
        body = msgspec.json.encode(request)
        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(MAX_ATTEMPTS),
            wait=self._wait,
            retry=tenacity.retry_if_exception_type(_Retryable),
            sleep=self._sleep,
            before_sleep=lambda state: _log_retry(method, state),
            reraise=False,
        )
        try:
            for attempt in retrying:
                with attempt:
                    if before_retry is not None and attempt.retry_state.attempt_number > 1:
                        found = before_retry()
                        if found is not None:
                            return found
                    return self._attempt(method, body, response_type)
        except tenacity.RetryError as exc:
            last = exc.last_attempt.exception()
            raise ServiceError(
                f"{method} failed after {MAX_ATTEMPTS} attempts: {last}",
                status=getattr(last, "status", None),
                retryable=True,
            ) from last
        raise AssertionError("unreachable: tenacity either returns or raises")  # pragma: no cover

    def _attempt(self, method: str, body: bytes, response_type: type[_T]) -> _T:
        url = f"{self._origin}/twirp/{SERVICE}/{method}"
        try:
            response = self._http.post(
                url, content=body, headers=self._headers, timeout=self._timeout
            )
        except httpx.TransportError as exc:
            raise _Retryable(
                f"{method}: no answer from {self._origin} ({type(exc).__name__}: {exc})",
                status=None,
                retry_after=None,
            ) from exc
        if response.is_success:
            return self._decode(method, response, response_type)
        raise self._failure(method, response)

    def _decode(self, method: str, response: httpx.Response, response_type: type[_T]) -> _T:
        try:
            value = msgspec.json.decode(response.content)
            return decode_response(value, response_type)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            raise _Retryable(
                f"{method}: HTTP {response.status_code} with an answer that is not the "
                f"expected JSON ({exc})",
                status=response.status_code,
                retry_after=None,
            ) from exc

    def _failure(self, method: str, response: httpx.Response) -> Exception:
        status = response.status_code
        code, msg = _twirp_error(response)
        detail = f"HTTP {status} {response.reason_phrase}".rstrip()
        if code or msg:
            detail += f" ({': '.join(part for part in (code, msg) if part)})"
        message = f"{method} failed: {detail}"
        if _QUOTA_MARKER in msg.lower():
            return QuotaError(
                f"{message}; the artifact storage quota is used up: delete old artifacts or "
                "raise the quota, then run the job again"
            )
        if status == 409:
            return ServiceError(message, status=409, code=code or "already_exists", retryable=False)
        if status in RETRYABLE_STATUSES:
            return _Retryable(message, status=status, retry_after=self._retry_after(response))
        return ServiceError(message, status=status, code=code or None, retryable=False)

    def _retry_after(self, response: httpx.Response) -> float | None:
        raw = response.headers.get("Retry-After", "").strip()
        if not raw:
            return None
        try:
            seconds = float(raw)
        except ValueError:
            try:
                when = parsedate_to_datetime(raw)
            except (TypeError, ValueError):
                return None
            seconds = when.timestamp() - self._clock() / 1000
        return min(max(seconds, 0.0), MAX_RETRY_AFTER_S)

    def _wait(self, state: tenacity.RetryCallState) -> float:
        failure = state.outcome.exception() if state.outcome else None
        if isinstance(failure, _Retryable) and failure.retry_after is not None:
            return failure.retry_after
        low, high = backoff_bounds(state.attempt_number)
        return low if low == high else self._jitter(low, high)


def _twirp_error(response: httpx.Response) -> tuple[str, str]:
    try:
        value = msgspec.json.decode(response.content)
    except msgspec.DecodeError:
        return "", ""
    if not isinstance(value, dict):
        return "", ""
    code, msg = value.get("code"), value.get("msg")
    return (code if isinstance(code, str) else ""), (msg if isinstance(msg, str) else "")


def _log_retry(method: str, state: tenacity.RetryCallState) -> None:
    failure = state.outcome.exception() if state.outcome else None
    wait = state.next_action.sleep if state.next_action else 0.0
    _log.warning(
        "%s attempt %d failed (%s); retrying in %.1f s", method, state.attempt_number, failure, wait
    )
