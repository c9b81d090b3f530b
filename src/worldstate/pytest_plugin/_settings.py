"""The plugin's options: registration, and resolution into one frozen :class:`PluginSettings`.

Every option can be given on the command line or in the ini file (``[pytest]``,
``[tool.pytest.ini_options]``, ...); the command line wins.  Each resolved value remembers where
it came from, so an error says ``(from --worldstate-keep)`` or ``(from ini option worldstate_keep
in pyproject.toml)``.
"""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pytest

__all__ = [
    "KeepPolicy",
    "PluginSettings",
    "add_options",
    "resolve_settings",
    "DEFAULT_DIR",
]

DEFAULT_DIR: Final = Path("telemetry-artifacts", "pytest")
"""The telemetry folder, relative to the rootdir, when none is configured."""


class KeepPolicy(enum.Enum):
    """Which tests keep their exported folder (the vocabulary of pytest's tmp_path retention)."""

    ALL = "all"
    FAILED = "failed"
    NONE = "none"

    def keeps(self, outcome: str) -> bool:
        """Whether a test that ended with ``outcome`` keeps its artifacts."""
        if self is KeepPolicy.FAILED:
            return outcome in {"failed", "error"}
        return self is KeepPolicy.ALL


@dataclass(frozen=True, slots=True)
class PluginSettings:
    """Every option, resolved and checked.

    Attributes:
        artifact_dir: the absolute telemetry folder; each test exports into a folder below it.
        requested_formats: canonical export formats, in emission order, when some were asked
            for (``None``: every format).
        keep: which tests keep their folder.
        update_snapshots: ``--worldstate-update``: write approval snapshots instead of comparing.
        publish_flag: ``--worldstate-publish`` was given.
    """

    artifact_dir: Path
    requested_formats: tuple[str, ...] | None
    keep: KeepPolicy
    update_snapshots: bool
    publish_flag: bool

    @property
    def formats(self) -> tuple[str, ...]:
        """The export formats: those asked for, or every format."""
        if self.requested_formats is not None:
            return self.requested_formats
        # Imported here: a run that never exports does not pay for the inspector's import.
        from worldstate.inspector import CANONICAL_FORMATS

        return CANONICAL_FORMATS


@dataclass(frozen=True, slots=True)
class _Option:
    flag: str
    ini: str
    help: str
    choices: tuple[str, ...] | None = None


_DIR = _Option(
    "--worldstate-dir",
    "worldstate_dir",
    "folder for per-test world telemetry (default: telemetry-artifacts/pytest under the rootdir)",
)
_FORMATS = _Option(
    "--worldstate-formats",
    "worldstate_formats",
    "comma-separated export formats (default: all of json,csv,transcript-csv,transcript-md)",
)
_KEEP = _Option(
    "--worldstate-keep",
    "worldstate_keep",
    "which tests keep their telemetry folder: all (default), failed, none",
    tuple(policy.value for policy in KeepPolicy),
)


def add_options(parser: pytest.Parser) -> None:
    """Register the command-line options and their ini counterparts."""
    group = parser.getgroup("worldstate", "worldstate world telemetry and approval snapshots")
    for option in (_DIR, _FORMATS, _KEEP):
        # No argparse choices: the value is checked in resolve_settings so an ini value and a
        # command-line value get the same message, naming their source.
        group.addoption(option.flag, dest=option.ini, default=None, help=option.help)
        parser.addini(option.ini, option.help, type="string", default="")
    group.addoption(
        "--worldstate-update",
        dest="worldstate_update",
        action="store_true",
        help="write or update approval snapshots (assert_world) instead of comparing them",
    )
    group.addoption(
        "--worldstate-publish",
        dest="worldstate_publish",
        action="store_true",
        help="publish the session's telemetry folder (implied when CI is true/1/yes)",
    )


@dataclass(frozen=True, slots=True)
class _Value:
    text: str
    source: str


def _lookup(config: pytest.Config, option: _Option) -> _Value | None:
    from_cli = config.getoption(option.ini)
    if from_cli is not None:
        return _Value(str(from_cli), f"from {option.flag}")
    from_ini = str(config.getini(option.ini)).strip()
    if from_ini:
        where = f" in {config.inipath.name}" if config.inipath is not None else ""
        return _Value(from_ini, f"from ini option {option.ini}{where}")
    return None


def resolve_settings(config: pytest.Config, *, artifact_dir: Path | None = None) -> PluginSettings:
    """Resolve the options of ``config`` (command line over ini over defaults).

    Args:
        config: the pytest config.
        artifact_dir: an already resolved folder (an xdist worker gets the controller's).

    Raises:
        pytest.UsageError: a value is invalid; the message names the value and its source.
    """
    return PluginSettings(
        artifact_dir=artifact_dir if artifact_dir is not None else _artifact_dir(config),
        requested_formats=_formats(_lookup(config, _FORMATS)),
        keep=_keep(_lookup(config, _KEEP)),
        update_snapshots=bool(config.getoption("worldstate_update")),
        publish_flag=bool(config.getoption("worldstate_publish")),
    )


def _artifact_dir(config: pytest.Config) -> Path:
    value = _lookup(config, _DIR)
    if value is None:
        return config.rootpath / DEFAULT_DIR
    if not value.text.strip() or "\x00" in value.text:
        raise pytest.UsageError(f"worldstate: {value.text!r} is not a folder name ({value.source})")
    # Command-line paths are relative to where pytest was started, ini paths to the ini file.
    if value.source.startswith("from ini") and config.inipath is not None:
        base = config.inipath.parent
    else:
        base = config.invocation_params.dir
    return Path(os.path.abspath(base / os.path.expanduser(value.text)))


def _formats(value: _Value | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    from worldstate.errors import ConfigurationError
    from worldstate.inspector import resolve_formats

    names = [name for name in value.text.split(",") if name.strip()]
    if not names:
        raise pytest.UsageError(f"worldstate: no export format in {value.text!r} ({value.source})")
    try:
        return resolve_formats(names)
    except ConfigurationError as exc:
        raise pytest.UsageError(f"worldstate: {exc} ({value.source})") from None


def _keep(value: _Value | None) -> KeepPolicy:
    if value is None:
        return KeepPolicy.ALL
    try:
        return KeepPolicy(value.text.strip().lower())
    except ValueError:
        accepted = ", ".join(policy.value for policy in KeepPolicy)
        raise pytest.UsageError(
            f"worldstate: invalid keep policy {value.text!r} ({value.source}); "
            f"expected one of: {accepted}"
        ) from None
