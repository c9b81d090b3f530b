"""GitHub Actions workflow commands and environment files, with the stream and paths injected.

* :class:`WorkflowCommands` prints ``::add-mask::`` and ``::warning …::`` lines to a stream,
  escaped as the runner decodes them, at most :data:`MAX_ANNOTATIONS` annotations per step.
* :func:`append_step_summary` appends Markdown to ``$GITHUB_STEP_SUMMARY``.
* :func:`write_outputs` appends step outputs to ``$GITHUB_OUTPUT`` in the heredoc form.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Final, TextIO

from worldstate.redact import MIN_SECRET_VALUE_LENGTH

__all__ = [
    "MAX_ANNOTATIONS",
    "STEP_SUMMARY_LIMIT",
    "WorkflowCommands",
    "escape_data",
    "escape_property",
    "append_step_summary",
    "write_outputs",
    "heredoc",
]

MAX_ANNOTATIONS: Final = 10
"""GitHub shows at most 10 warning annotations per step; the step summary has the full list."""
STEP_SUMMARY_LIMIT: Final = 1024 * 1024
"""Bytes one step's summary may hold; GitHub drops a larger summary whole."""


def escape_data(text: str) -> str:
    """Escape a workflow command's message (``%``, CR, LF)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command's property value (also ``:`` and ``,``)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


class WorkflowCommands:
    """Workflow commands written to ``stream`` (the step's stdout)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._annotations = 0

    def add_mask(self, value: str) -> None:
        """Ask the runner to mask ``value`` (each of its lines) in later log output.

        Values shorter than the redactor's minimum are not masked: masking ``1`` or ``true``
        would hide every number and flag in the log.
        """
        for part in {value, *value.splitlines()}:
            if len(part.strip()) >= MIN_SECRET_VALUE_LENGTH:
                self._stream.write(f"::add-mask::{escape_data(part)}\n")
        self._stream.flush()

    def warning(self, message: str, *, title: str) -> bool:
        """A warning annotation; ``False`` (nothing printed) once the step's quota is used."""
        if self._annotations >= MAX_ANNOTATIONS:
            return False
        self._annotations += 1
        self._stream.write(f"::warning title={escape_property(title)}::{escape_data(message)}\n")
        self._stream.flush()
        return True


def append_step_summary(path: Path, markdown: str) -> None:
    """Append ``markdown`` (one section, newline-terminated) to the step summary file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(markdown if markdown.endswith("\n") else markdown + "\n")


def heredoc(name: str, value: str, delimiter: str) -> str:
    """``name<<delimiter``, the value, then the delimiter, each on its own line."""
    return f"{name}<<{delimiter}\n{value}\n{delimiter}\n"


def write_outputs(
    path: Path,
    outputs: Mapping[str, str],
    *,
    delimiter: Callable[[], str] = lambda: f"ghadelimiter_{uuid.uuid4()}",
) -> None:
    """Append ``outputs`` to ``$GITHUB_OUTPUT``, each in the heredoc form.

    Each value gets a fresh random delimiter; one that occurs in the name or the value is
    drawn again, so a value can never end its own block early.
    """
    blocks = []
    for name, value in outputs.items():
        marker = delimiter()
        while marker in value or marker in name:
            marker = delimiter()
        blocks.append(heredoc(name, value, marker))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        fh.write("".join(blocks))
