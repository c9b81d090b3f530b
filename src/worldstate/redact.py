"""Redaction of secrets before anything is published (DEVIATIONS B3).

Two rules, applied recursively to JSON-shaped values:

* the value of any mapping key containing ``TOKEN``, ``SECRET``, ``PASSWORD`` or ``KEY``
  (case-insensitive) becomes ``"[REDACTED]"``, whatever it was (a nested object too);
* a string containing a URL with credentials (``scheme://user[:password]@host``) becomes
  ``"[REDACTED]"``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["REDACTED", "SECRET_KEY_MARKERS", "is_secret_key", "has_credentials", "redact"]

REDACTED = "[REDACTED]"
"""What a secret is replaced with."""

SECRET_KEY_MARKERS = ("TOKEN", "SECRET", "PASSWORD", "KEY")
"""A key containing one of these (case-insensitive) holds a secret."""

_CREDENTIAL_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^\s/?#@]+@")


def is_secret_key(key: object) -> bool:
    """Tell whether a mapping key names a secret (``GITHUB_TOKEN``, ``apiKey``, ``db_password``)."""
    upper = str(key).upper()
    return any(marker in upper for marker in SECRET_KEY_MARKERS)


def has_credentials(text: str) -> bool:
    """Tell whether ``text`` contains a URL with a user name or password before the host."""
    return _CREDENTIAL_URL.search(text) is not None


def redact(value: Any) -> Any:
    """A copy of ``value`` with secrets replaced by :data:`REDACTED` (see the module docs).

    Mappings become dicts and tuples become lists; other values are returned as they are.
    """
    if isinstance(value, Mapping):
        return {k: REDACTED if is_secret_key(k) else redact(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(item) for item in value]
    if isinstance(value, str) and has_credentials(value):
        return REDACTED
    return value
