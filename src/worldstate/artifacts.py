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
        replace_different: whether a writer may replace an existing file of this name whose
            content differs.  Files named after the moment of their export (the summary JSON,
            CSVs and transcripts) say ``False``: a different file under that name belongs to
            another export made in the same second, and overwriting it would lose that export
            while both report success, so the write fails instead (the same content, as on a
            retry, is fine).  Files every export into a folder legitimately replaces (the
            budget status, the manifest) keep the default ``True``.
    """

    type: str
    section: str | None
    filename: str
    mime_type: str
    content: str
    replace_different: bool = True

    @property
    def size(self) -> int:
        """Size of the content in bytes once encoded as UTF-8."""
        return len(self.content.encode("utf-8"))
