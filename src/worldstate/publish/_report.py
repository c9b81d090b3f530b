"""The step summary section of a publish: budget, provider uploads, artifacts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from worldstate._manifest_text import NO_PROVIDER_RESULTS, PROVIDERS_HEADING
from worldstate.inspector import md_table
from worldstate.publish._model import UploadResult, UploadStatus
from worldstate.publish._workflow import STEP_SUMMARY_LIMIT

__all__ = ["provider_markdown", "artifacts_markdown", "step_summary", "cut_to_limit"]

_DASH: Final = "\u2014"
_PROVIDER_COLUMNS: Final = (
    "Provider", "Status", "Exit", "Duration (ms)", "Artifact", "Files", "Skip Reason",
)  # fmt: skip
_CUT_RESERVE: Final = 512


def _or_dash(value: object) -> object:
    return _DASH if value is None or value == "" else value


def provider_markdown(attempts: Sequence[UploadResult]) -> str:
    """The "Telemetry Provider Uploads" section: counts, then one row per attempt."""
    lines = [PROVIDERS_HEADING, ""]
    if not attempts:
        lines += NO_PROVIDER_RESULTS
        return "\n".join(lines)
    counts: dict[str, int] = {}
    for result in attempts:
        counts[result.status.value] = counts.get(result.status.value, 0) + 1
    failed = any(r.status in (UploadStatus.FAILED, UploadStatus.TIMEOUT) for r in attempts)
    lines += [
        f"- Providers reported: {len(attempts)}",
        "- Status breakdown: " + ", ".join(f"`{s}`: {n}" for s, n in counts.items()),
        f"- Failures detected: {'yes' if failed else 'no'}",
        "",
    ]
    rows = (
        [
            r.provider if r.command is None else f"{r.provider} ({r.command})",
            r.status.value,
            _or_dash(r.exit_code),
            _or_dash(r.duration_ms),
            _or_dash(r.artifact_name),
            len(r.files) if r.files else _DASH,
            _or_dash(r.skipped_reason),
        ]
        for r in attempts
    )
    lines += md_table(_PROVIDER_COLUMNS, rows)
    return "\n".join(lines)


def artifacts_markdown(artifacts: Sequence[tuple[str, int]]) -> str:
    """The "Telemetry Artifacts" section: each written file and its size in bytes."""
    lines = ["## Telemetry Artifacts", ""]
    if not artifacts:
        return "\n".join([*lines, "No artifact was written."])
    return "\n".join(lines + md_table(("File", "Bytes"), artifacts))


def cut_to_limit(text: str, limit: int = STEP_SUMMARY_LIMIT) -> str:
    """``text`` if it fits in ``limit`` UTF-8 bytes, else its first lines and a line saying
    how many were cut."""
    if len(text.encode("utf-8")) <= limit:
        return text
    budget = limit - _CUT_RESERVE
    kept: list[str] = []
    used = 0
    lines = text.split("\n")
    for line in lines:
        size = len(line.encode("utf-8")) + 1
        if used + size > budget:
            break
        kept.append(line)
        used += size
    cut = len(lines) - len(kept)
    note = (
        f"> Cut: the last {cut} lines of this summary were left out to stay under GitHub's "
        "1 MiB step summary limit; ci-artifacts.json has every record."
    )
    return "\n".join([*kept, "", note])


def step_summary(
    budget_markdown: str | None,
    attempts: Sequence[UploadResult],
    artifacts: Sequence[tuple[str, int]],
    *,
    limit: int = STEP_SUMMARY_LIMIT,
) -> str:
    """One step summary section: the budget report, the provider uploads, the artifacts."""
    parts = [budget_markdown] if budget_markdown else []
    parts += [provider_markdown(attempts), artifacts_markdown(artifacts)]
    return cut_to_limit("\n\n".join(parts) + "\n", limit)
