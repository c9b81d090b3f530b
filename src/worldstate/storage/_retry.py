"""Retrying storage requests that the service throttled (HTTP 503 SlowDown, 429)."""

from __future__ import annotations

import errno
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

__all__ = ["RetryPolicy", "is_throttling"]

T = TypeVar("T")

_THROTTLING_MARKERS = (
    "SlowDown",
    "reduce your request rate",
    "Throttl",
    "TooManyRequests",
    "Too Many Requests",
    "ServiceUnavailable",
    "Service Unavailable",
    "RequestLimitExceeded",
)
_THROTTLING_STATUS = frozenset({429, 503})


def is_throttling(exc: BaseException) -> bool:
    """Tell whether ``exc`` says "slow down" (a busy or rate-limited service), which is worth
    retrying; a missing bucket or a refused credential is not."""
    if isinstance(exc, OSError) and exc.errno == errno.EBUSY:
        return True  # how s3fs reports SlowDown / ServiceUnavailable
    for attribute in ("code", "status", "status_code"):  # gcsfs, adlfs, HTTP clients
        if getattr(exc, attribute, None) in _THROTTLING_STATUS:
            return True
    text = f"{type(exc).__name__}: {exc}"
    return any(marker in text for marker in _THROTTLING_MARKERS)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently a throttled request is tried again.

    The filesystem's client may retry on its own first (botocore and s3fs do); this policy
    applies to what still fails after that, with exponential backoff and jitter.

    Attributes:
        attempts: tries in all (1 = no retry).
        initial_wait: the first wait in seconds; it doubles each time.
        max_wait: the longest single wait in seconds.
        sleep: how to wait (injected so tests do not sleep).
    """

    attempts: int = 4
    initial_wait: float = 0.25
    max_wait: float = 8.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

    def call(self, action: Callable[[], T]) -> T:
        """Run ``action``; on a throttling error wait and run it again, up to ``attempts``.

        Raises:
            Exception: the last error, when it is not throttling or the attempts ran out.
        """
        import tenacity  # only when a storage call runs

        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self.attempts),
            wait=tenacity.wait_exponential(multiplier=self.initial_wait, max=self.max_wait)
            + tenacity.wait_random(0, self.initial_wait),
            retry=tenacity.retry_if_exception(is_throttling),
            sleep=self.sleep,
            reraise=True,
        )
        return retrying(action)
