"""Redaction of secrets before anything is published (DEVIATIONS B3).

Rules, applied recursively to JSON-shaped values (mapping keys included):

* the value of any mapping key containing ``TOKEN``, ``SECRET``, ``PASSWORD``, ``KEY``,
  ``AUTHORIZATION``, ``COOKIE`` or ``CREDENTIAL`` (case-insensitive) becomes ``"[REDACTED]"``,
  whatever it was (a nested object too).  ``KEY`` is matched anywhere, as B3 states it, so
  ``monkey`` or ``keyboard`` are redacted too: deliberately conservative.  There is no ``AUTH``
  marker: it would redact ``author``;
* a string containing a URL with credentials (``scheme://user[:password]@host``) becomes
  ``"[REDACTED]"``;
* a string containing something shaped like a token becomes ``"[REDACTED]"`` as a whole:
  GitHub tokens (``ghp_``/``gho_``/``ghu_``/``ghs_``/``ghr_`` + 20 or more characters,
  ``github_pat_...``), Slack tokens (``xoxb-...``, ``xoxp-...``...), AWS access key ids
  (``AKIA`` + 16), HTTP ``Bearer``/``Basic`` credentials (any case, 8 or more token
  characters with at least one digit or symbol, so "basic settings" stays) and JWTs
  (``eyJ...eyJ....``);
* with a :class:`Redactor` built from the environment: a string containing the value of a
  secret-looking environment variable (its name contains a marker above, its value has at
  least :data:`MIN_SECRET_VALUE_LENGTH` characters) becomes ``"[REDACTED]"``.  So
  ``MY_TOKEN=...`` never reaches a manifest through ``--context`` or ``BUILD_ID``.

A mapping key that is itself secret by the string rules is replaced, with its value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

__all__ = [
    "REDACTED",
    "SECRET_KEY_MARKERS",
    "MIN_SECRET_VALUE_LENGTH",
    "Redactor",
    "is_secret_key",
    "has_credentials",
    "looks_like_token",
    "redact",
]

REDACTED: Final = "[REDACTED]"
"""What a secret is replaced with."""

SECRET_KEY_MARKERS: Final = (
    "TOKEN",
    "SECRET",
    "PASSWORD",
    "KEY",
    "AUTHORIZATION",
    "COOKIE",
    "CREDENTIAL",
)
"""A key (or environment variable name) containing one of these (case-insensitive) holds a
secret."""

MIN_SECRET_VALUE_LENGTH: Final = 8
"""Shorter values of secret-looking environment variables are not searched for (``1``,
``true`` would redact everything)."""

_CREDENTIAL_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^\s/?#@]+@")
_TOKEN_SHAPES = re.compile(
    "|".join(
        (
            r"gh[opusr]_[A-Za-z0-9]{20,}",
            r"github_pat_[A-Za-z0-9_]{20,}",
            r"xox[abprs]-[A-Za-z0-9-]{10,}",
            r"AKIA[0-9A-Z]{16}",
            # A credential has a digit or a symbol: "basic settings applied" is prose.
            r"\b(?i:bearer|basic)\s+(?=[A-Za-z]*[0-9._~+/=-])[A-Za-z0-9._~+/=-]{8,}",
            r"eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.",
        )
    )
)


def is_secret_key(key: object) -> bool:
    """Tell whether a mapping key names a secret (``GITHUB_TOKEN``, ``apiKey``, ``Cookie``)."""
    upper = str(key).upper()
    return any(marker in upper for marker in SECRET_KEY_MARKERS)


def has_credentials(text: str) -> bool:
    """Tell whether ``text`` contains a URL with a user name or password before the host."""
    return _CREDENTIAL_URL.search(text) is not None


def looks_like_token(text: str) -> bool:
    """Tell whether ``text`` contains a token-shaped value (see the module docs)."""
    return _TOKEN_SHAPES.search(text) is not None


class Redactor:
    """Redacts secrets from JSON-shaped values; knows the environment's secret values.

    Build one per run, at the edge, from the environment mapping (the CLI passes
    ``os.environ``); domain code receives it and never reads the environment itself.

    Args:
        env: environment variables; the values of those whose name contains a marker of
            :data:`SECRET_KEY_MARKERS` and that have at least :data:`MIN_SECRET_VALUE_LENGTH`
            characters are redacted wherever they appear in a string.  ``None`` or ``{}``:
            only the key, URL and token-shape rules apply.
    """

    __slots__ = ("_values",)

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        # Stripped: a value pasted with spaces around it is still found in a trimmed string.
        found = {
            value.strip()
            for name, value in (env or {}).items()
            if is_secret_key(name) and len(value.strip()) >= MIN_SECRET_VALUE_LENGTH
        }
        self._values: tuple[str, ...] = tuple(sorted(found))

    @property
    def secret_count(self) -> int:
        """How many environment values this redactor looks for."""
        return len(self._values)

    def is_secret_text(self, text: str) -> bool:
        """Tell whether ``text`` must be redacted as a whole."""
        return (
            any(value in text for value in self._values)
            or has_credentials(text)
            or looks_like_token(text)
        )

    def __call__(self, value: Any) -> Any:
        """A copy of ``value`` with secrets replaced by :data:`REDACTED` (see the module docs).

        Mappings become dicts and tuples become lists; other values are returned as they are.
        """
        if isinstance(value, Mapping):
            copy: dict[Any, Any] = {}
            for key, item in value.items():
                if isinstance(key, str) and self.is_secret_text(key):
                    copy[REDACTED] = REDACTED
                else:
                    copy[key] = REDACTED if is_secret_key(key) else self(item)
            return copy
        if isinstance(value, list | tuple):
            return [self(item) for item in value]
        if isinstance(value, str) and self.is_secret_text(value):
            return REDACTED
        return value

    def __repr__(self) -> str:
        # Never the values themselves: a repr ends up in logs and tracebacks.
        return f"Redactor(<{self.secret_count} environment secrets>)"


_PLAIN: Final = Redactor()


def redact(value: Any) -> Any:
    """:class:`Redactor` without an environment: keys, credential URLs and token shapes only.

    Mappings become dicts and tuples become lists; other values are returned as they are.
    """
    return _PLAIN(value)
