"""Log lines on stderr with secrets scrubbed out (configured when a command runs)."""

from __future__ import annotations

import logging

from worldstate.redact import Redactor

__all__ = ["configure_logging"]


class _RedactingFormatter(logging.Formatter):
    """Formats log records (and their tracebacks) with secrets scrubbed out."""

    def __init__(self, fmt: str, redactor: Redactor) -> None:
        super().__init__(fmt)
        self._redactor = redactor

    def format(self, record: logging.LogRecord) -> str:
        return self._redactor.scrub(super().format(record))


def configure_logging(verbose: int, redactor: Redactor) -> None:
    """Log errors (``-v`` warnings, ``-vv`` info, ``-vvv`` debug) to stderr, scrubbed."""
    level = logging.ERROR - 10 * min(verbose, 3)
    handler = logging.StreamHandler()
    handler.setFormatter(_RedactingFormatter("%(levelname)s %(name)s: %(message)s", redactor))
    logging.basicConfig(level=level, handlers=[handler])
