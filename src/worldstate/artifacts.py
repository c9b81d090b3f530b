"""The artifact record that flows from renderers to writers."""

from __future__ import annotations

import msgspec

__all__ = ["Artifact"]


class Artifact(msgspec.Struct, frozen=True, kw_only=True):
    """One rendered telemetry file, not yet written anywhere.

    Attributes:
        type: the format that produced it (``json``, ``csv``, ``transcript-csv``,
            ``transcript-md``; the budget report uses ``json`` and ``markdown``).
        section: which part of the summary it shows (``cascade``, ``tutorial``,
            ``tutorial-transcript``, ``budget-status``), or ``None`` for the whole summary.
        filename: a bare file name (no folders); writers refuse anything else.
        mime_type: e.g. ``application/json``, ``text/csv``, ``text/markdown``.
        content: the full text, ending with exactly one ``\\n``.
    """

    type: str
    section: str | None
    filename: str
    mime_type: str
    content: str

    @property
    def size(self) -> int:
        """Size of the content in bytes once encoded as UTF-8."""
        return len(self.content.encode("utf-8"))
