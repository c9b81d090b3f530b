"""Redaction of secrets before anything leaves the process.

Rules (``docs/redaction.md`` lists them with examples both ways):

* **Keys.** A mapping key is split into words on ``_``, ``-``, ``.``, spaces, digits and
  camelCase boundaries (``X-API-KEY`` -> ``X API KEY``, ``apiKey`` -> ``api Key``,
  ``OAuth2Token`` -> ``O Auth 2 Token``).  If one word is in :data:`SECRET_KEY_WORDS` (any case,
  a plural ``s`` allowed), or the whole key glued together is in :data:`SECRET_KEY_COMPOUNDS`
  (``apikey``, ``accesstoken``), the value becomes ``"[REDACTED]"``, whatever it was.  Words
  only: ``keyboard``, ``monkey``, ``tokenizer``, ``secretary``, ``passwordless`` stay.
* **URLs with credentials.** ``scheme://user:password@host`` (a password after the user).  A
  bare user (``ssh://git@github.com/...``) is not a credential, unless the user itself looks
  like a token (20 or more letters and digits, with both).
* **Token shapes.** GitHub (``ghp_``/``gho_``/``ghu_``/``ghs_``/``ghr_`` + 20 or more,
  ``github_pat_...``), Slack (``xoxb-...``), AWS access key ids (``AKIA`` + 16), ``Bearer`` /
  ``Basic`` credentials (8 or more token characters with a digit or symbol, so "basic
  settings" stays) and JWTs (``eyJ...eyJ....``).
* **Environment secrets.** With a :class:`Redactor` built from the environment: the value of a
  variable whose *name* is secret by the key rule, when the value is long enough
  (:data:`MIN_SECRET_VALUE_LENGTH`) and is not an ordinary word, number or path (see
  :func:`is_secret_value`).  ``CACHE_KEY=save-inspector`` is not a secret;
  ``MY_TOKEN=s3cr3t-Value-42`` is.

:meth:`Redactor.__call__` replaces a whole string that holds a secret (and a key that is
itself secret, with its value): that is for structured documents (manifests, events,
``--json``).  :meth:`Redactor.scrub` replaces only the secret part of a text: that is for
messages and logs, which stay readable.

Every pattern is linear in the length of its input: no pattern can backtrack over the same
characters twice (runs are matched possessively, and starts are anchored after a separator).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any, Final

from worldstate.errors import ConfigurationError

__all__ = [
    "REDACTED",
    "SECRET_KEY_WORDS",
    "SECRET_KEY_COMPOUNDS",
    "MIN_SECRET_VALUE_LENGTH",
    "Redactor",
    "is_secret_key",
    "is_secret_value",
    "key_words",
    "has_credentials",
    "looks_like_token",
    "redact",
]

REDACTED: Final = "[REDACTED]"
"""What a secret is replaced with."""

SECRET_KEY_WORDS: Final = frozenset(
    {"TOKEN", "SECRET", "PASSWORD", "PASSWD", "KEY", "AUTHORIZATION", "COOKIE", "CREDENTIAL"}
)
"""A key (or environment variable name) one of whose words is one of these (any case, an
``S`` plural allowed) holds a secret."""

SECRET_KEY_COMPOUNDS: Final = frozenset(
    {
        "APIKEY",
        "ACCESSKEY",
        "SECRETKEY",
        "PRIVATEKEY",
        "AUTHTOKEN",
        "ACCESSTOKEN",
        "REFRESHTOKEN",
        "PASSPHRASE",
    }
)
"""Glued spellings of secret keys, matched against the whole key without separators
(``apikey``, ``X-Apikey``... are secret; ``keyboard`` is not)."""

MIN_SECRET_VALUE_LENGTH: Final = 8
"""Shorter values of secret-named environment variables are not searched for (``1``,
``true`` would redact everything)."""

_MAX_ORDINARY_WORD: Final = 16
"""A letters-only value is an ordinary word when each of its words has at most this many
letters and is written lower, UPPER or Capitalised (``aBcDeFgHiJ`` is not a word)."""

# Words of a key: an acronym before a capitalised word, a (capitalised) lower-case word, an
# acronym, a number.  The first alternative gives back at most the run it scanned before the
# third one takes that run whole, so the split stays linear.
_KEY_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?+[a-z]++|[A-Z]++|[0-9]++")
_KEY_SEPARATORS = re.compile(r"[^A-Za-z0-9]++")

_TOKEN_CHAR = r"A-Za-z0-9_\-"
_CREDENTIAL_URL = re.compile(
    # The scheme starts after a character that cannot be part of one, so two scheme scans never
    # overlap; the user part is matched possessively.
    r"(?<![A-Za-z0-9+.\-])[A-Za-z][A-Za-z0-9+.\-]*+://(?P<user>[^\s/?#@:]*+)(?P<password>:[^\s/?#@]*+)?+@"
)
_TOKEN_USER_CHARS = re.compile(r"[A-Za-z0-9_\-.]{20,}+")
_TOKEN_SHAPES = re.compile(
    "|".join(
        (
            rf"(?<![{_TOKEN_CHAR}])gh[opusr]_[A-Za-z0-9]{{20,}}+",
            rf"(?<![{_TOKEN_CHAR}])github_pat_[A-Za-z0-9_]{{20,}}+",
            rf"(?<![{_TOKEN_CHAR}])xox[abprs]-[A-Za-z0-9\-]{{10,}}+",
            r"(?<![A-Za-z0-9])AKIA[0-9A-Z]{16}",
            # A credential has a digit or a symbol: "basic settings applied" is prose.
            r"(?<![A-Za-z0-9])(?i:bearer|basic)[ \t]++"
            r"(?=[A-Za-z]*+[0-9._~+/=\-])[A-Za-z0-9._~+/=\-]{8,}+",
            rf"(?<![{_TOKEN_CHAR}])eyJ[{_TOKEN_CHAR}]++\.eyJ[{_TOKEN_CHAR}]++\.[{_TOKEN_CHAR}]*+",
        )
    )
)
# Only the values of secret-named environment variables are tested with these: they stay
# strings, compiled by `re` (and cached there) when the first such value is seen.
_ORDINARY_WORDS = r"[A-Za-z]++(?:[\-_. ][A-Za-z]++)*+"
_NUMBER = r"[+\-]?[0-9]++(?:[.,][0-9]++)*+"
_PATH_START = r"(?:/|~|\.{1,2}/|[A-Za-z]:[\\/])"
_PLAIN_URL = r"[A-Za-z][A-Za-z0-9+.\-]*+://[^\s@]*+"


def key_words(key: str) -> list[str]:
    """The words of a key, upper-cased: ``"X-API-KEY"`` -> ``["X", "API", "KEY"]``."""
    return [word.upper() for part in _KEY_SEPARATORS.split(key) for word in _KEY_WORD.findall(part)]


def is_secret_key(key: object) -> bool:
    """Tell whether a mapping key names a secret (``GITHUB_TOKEN``, ``apiKey``, ``Cookie``)."""
    if not isinstance(key, str):
        return False
    words = key_words(key)
    if any(word in SECRET_KEY_WORDS or _singular(word) in SECRET_KEY_WORDS for word in words):
        return True
    glued = "".join(words)
    return glued in SECRET_KEY_COMPOUNDS or _singular(glued) in SECRET_KEY_COMPOUNDS


def _singular(word: str) -> str:
    return word[:-1] if word.endswith("S") else word


def is_secret_value(value: str) -> bool:
    """Tell whether the value of a secret-named environment variable is worth hiding.

    It must have at least :data:`MIN_SECRET_VALUE_LENGTH` characters (spaces around it
    ignored) and not be an ordinary value: words of letters joined by ``-``, ``_``, ``.`` or
    spaces (``save-inspector``, ``production``), a number, a path (``/home/me``, ``./out``,
    ``~/x``, ``C:\\x``) or a URL without credentials.
    """
    text = value.strip()
    if len(text) < MIN_SECRET_VALUE_LENGTH:
        return False
    if re.fullmatch(_NUMBER, text) or re.match(_PATH_START, text):
        return False
    if re.fullmatch(_PLAIN_URL, text) and not has_credentials(text):
        return False
    return not _is_ordinary_words(text)


def _is_ordinary_words(text: str) -> bool:
    if not re.fullmatch(_ORDINARY_WORDS, text):
        return False
    words = re.split(r"[\-_. ]", text)
    return all(
        len(word) <= _MAX_ORDINARY_WORD
        and (word.islower() or word.isupper() or (word[0].isupper() and word[1:].islower()))
        for word in words
    )


def has_credentials(text: str) -> bool:
    """Tell whether ``text`` holds a URL with a password (or a token-shaped user) in it."""
    return any(_is_credential(match) for match in _CREDENTIAL_URL.finditer(text))


def _is_credential(match: re.Match[str]) -> bool:
    password = match.group("password")
    if password is not None and len(password) > 1:
        return True
    return _looks_like_token_user(match.group("user"))


def _looks_like_token_user(user: str) -> bool:
    """A user name of 20 or more letters and digits (with both) is a token used as a login."""
    return (
        _TOKEN_USER_CHARS.fullmatch(user) is not None
        and any(c.isdigit() for c in user)
        and any(c.isalpha() for c in user)
    )


def looks_like_token(text: str) -> bool:
    """Tell whether ``text`` contains a token-shaped value (see the module docs)."""
    return _TOKEN_SHAPES.search(text) is not None


class Redactor:
    """Redacts secrets from JSON-shaped values and texts; knows the environment's secrets.

    Build one per run, at the edge, from the environment mapping (the CLI passes
    ``os.environ``); domain code receives it and never reads the environment itself.

    Args:
        env: environment variables; the values of those whose name is secret by
            :func:`is_secret_key` and whose value passes :func:`is_secret_value` are redacted
            wherever they appear.  ``None`` or ``{}``: only the key, URL and token-shape rules.
    """

    __slots__ = ("_names", "_values")

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        # Stripped: a value pasted with spaces around it is still found in a trimmed string.
        found = {
            value.strip(): name
            for name, value in sorted((env or {}).items())
            if is_secret_key(name) and is_secret_value(value)
        }
        # Longest first, so scrubbing a value that contains another hides all of it.
        self._values: tuple[str, ...] = tuple(sorted(found, key=lambda v: (-len(v), v)))
        self._names: dict[str, str] = found

    @property
    def secret_count(self) -> int:
        """How many environment values this redactor looks for."""
        return len(self._values)

    def secret_variable_in(self, text: str) -> str | None:
        """The name of the environment variable whose secret value ``text`` contains, if any."""
        return next((self._names[value] for value in self._values if value in text), None)

    def refuse_secrets_in(self, values: Iterable[tuple[str, str]]) -> None:
        """Refuse option values that hold an environment secret (they would name files).

        Args:
            values: ``(option name, value)`` pairs, such as ``[("--prefix", prefix)]``.

        Raises:
            ConfigurationError: names the option and the variable, never the value.
        """
        for option, text in values:
            variable = self.secret_variable_in(text)
            if variable is not None:
                raise ConfigurationError(
                    f"{option} contains the value of the secret environment variable "
                    f"{variable}; it would appear in file names and in the manifest, so "
                    "choose another value"
                )

    def is_secret_text(self, text: str) -> bool:
        """Tell whether ``text`` must be redacted as a whole."""
        return (
            self.secret_variable_in(text) is not None
            or has_credentials(text)
            or looks_like_token(text)
        )

    def hide_environment(self, text: str) -> str:
        """``text`` with every environment secret (and its JSON-escaped form) replaced.

        Only the environment's values: token shapes in game data stay as they are.
        """
        for value in self._values:
            for form in dict.fromkeys((value, json.dumps(value, ensure_ascii=False)[1:-1])):
                if form in text:
                    text = text.replace(form, REDACTED)
        return text

    def scrub(self, text: str) -> str:
        """``text`` with only its secret parts replaced by :data:`REDACTED` (messages, logs).

        Environment secrets, token-shaped values and the credentials of URLs go; the rest of
        the text (a file name, the option it came from) stays readable.
        """
        for value in self._values:
            if value in text:
                text = text.replace(value, REDACTED)
        text = _TOKEN_SHAPES.sub(REDACTED, text)
        return _CREDENTIAL_URL.sub(_scrub_credentials, text)

    def __call__(self, value: Any) -> Any:
        """A copy of ``value`` with secrets replaced by :data:`REDACTED` (see the module docs).

        Mappings become dicts and tuples become lists; other values are returned as they are.
        The walk uses an explicit stack, so deep nesting never exhausts the interpreter's.
        """
        root: list[Any] = [None]
        pending: list[tuple[Any, Any, Any]] = [(root, 0, value)]
        while pending:
            parent, slot, item = pending.pop()
            if isinstance(item, Mapping):
                copy: dict[Any, Any] = {}
                children: list[tuple[Any, Any, Any]] = []
                for key, child in item.items():
                    if isinstance(key, str) and self.is_secret_text(key):
                        copy[REDACTED] = REDACTED
                    elif is_secret_key(key):
                        copy[key] = REDACTED
                    else:
                        copy[key] = None  # keeps the key order; filled when popped
                        children.append((copy, key, child))
                pending.extend(reversed(children))
                parent[slot] = copy
            elif isinstance(item, list | tuple):
                items: list[Any] = [None] * len(item)
                pending.extend((items, i, child) for i, child in enumerate(item))
                parent[slot] = items
            elif isinstance(item, str) and self.is_secret_text(item):
                parent[slot] = REDACTED
            else:
                parent[slot] = item
        return root[0]

    def __repr__(self) -> str:
        # Never the values themselves: a repr ends up in logs and tracebacks.
        return f"Redactor(<{self.secret_count} environment secrets>)"


def _scrub_credentials(match: re.Match[str]) -> str:
    if not _is_credential(match):
        return match.group(0)
    scheme = match.group(0)[: match.start("user") - match.start(0)]
    return f"{scheme}{REDACTED}@"


_PLAIN: Final = Redactor()


def redact(value: Any) -> Any:
    """:class:`Redactor` without an environment: keys, credential URLs and token shapes only.

    Mappings become dicts and tuples become lists; other values are returned as they are.
    """
    return _PLAIN(value)
