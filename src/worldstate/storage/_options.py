"""Storage options (the keyword arguments of an fsspec filesystem) from the command line and
the environment."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from worldstate.errors import InputError
from worldstate.redact import is_secret_key

__all__ = ["parse_storage_options", "storage_options_from_env", "resolve_storage_options"]

OPTION = "--storage-option"


def parse_storage_options(items: Iterable[str]) -> dict[str, Any]:
    """Parse ``KEY=VALUE`` items into fsspec storage options.

    A value that reads as JSON (``true``, ``3``, ``{"region_name": "eu-west-1"}``) is taken as
    that value, anything else as a string.  A dotted key nests: ``client_kwargs.region_name=x``
    gives ``{"client_kwargs": {"region_name": "x"}}``.

    Raises:
        InputError: an item without ``=`` or with an empty key (the value is never echoed: it
            may be a secret).
    """
    options: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key or any(not part for part in key.split(".")):
            raise InputError(
                "expected KEY=VALUE (such as endpoint_url=http://127.0.0.1:9000)", source=OPTION
            )
        # Secrets stay strings even when they look like numbers.
        value = raw if is_secret_key(key) else _value(raw)
        _set_nested(options, key.split("."), value)
    return options


def storage_options_from_env(protocol: str, env: Mapping[str, str]) -> dict[str, Any]:
    """The options the environment gives a filesystem for ``protocol``.

    ``FSSPEC_<PROTOCOL>_<KEY>=value`` sets ``<key>`` (fsspec's own convention, such as
    ``FSSPEC_S3_ENDPOINT_URL``); for S3, ``AWS_ENDPOINT_URL_S3`` or ``AWS_ENDPOINT_URL`` set the
    endpoint when nothing else does.  Credentials in ``AWS_*`` variables are left to the S3
    client, which reads them itself.
    """
    prefix = f"FSSPEC_{protocol.upper()}_"
    options: dict[str, Any] = {
        name[len(prefix) :].lower(): value if is_secret_key(name) else _value(value)
        for name, value in env.items()
        if name.startswith(prefix) and len(name) > len(prefix) and value
    }
    if protocol in ("s3", "s3a") and "endpoint_url" not in options:
        endpoint = env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL")
        if endpoint:
            options["endpoint_url"] = endpoint
    return options


def resolve_storage_options(
    protocol: str, given: Mapping[str, Any], env: Mapping[str, str]
) -> dict[str, Any]:
    """The environment's options for ``protocol`` overlaid with ``given`` (which win)."""
    return {**storage_options_from_env(protocol, env), **given}


def _value(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _set_nested(options: dict[str, Any], keys: list[str], value: Any) -> None:
    for key in keys[:-1]:
        inner = options.get(key)
        if not isinstance(inner, dict):
            inner = options[key] = {}
        options = inner
    options[keys[-1]] = value
