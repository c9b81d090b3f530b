"""The runs report as one self-contained HTML page: inline SVG charts and the table.

The page loads nothing: no script, no font, no image, no stylesheet from elsewhere, and its
Content-Security-Policy forbids every fetch, so it opens the same from a CI artifact, an
e-mail or a laptop without network.  Each chart draws one ``<g class="run">`` per run (in
time order, left to right) with a ``<title>`` tooltip, so it reads without JavaScript.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from html import escape
from typing import Final

from worldstate._js import number_text
from worldstate.report._runs import RUN_COLUMNS, RunRow, RunsReport, run_cells

__all__ = ["CONTENT_SECURITY_POLICY", "render_runs_html"]

CONTENT_SECURITY_POLICY: Final = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

_WIDTH: Final = 760
_HEIGHT: Final = 220
_LEFT: Final = 120
_RIGHT: Final = 40
_TOP: Final = 16
_BOTTOM: Final = 40
_STATUS_COLOURS: Final = {
    "uploaded": "#2e7d32",
    "succeeded": "#2e7d32",
    "partial": "#f9a825",
    "skipped": "#9e9e9e",
    "failed": "#c62828",
    "error": "#c62828",
    "timeout": "#6a1b9a",
    "cancelled": "#6a1b9a",
}
_UNKNOWN_COLOUR: Final = "#5c6bc0"
_ARTIFACT_COLOURS: Final = ("#1565c0", "#00897b", "#7cb342", "#fb8c00", "#8e24aa", "#6d4c41")

_STYLE: Final = """
body { font-family: system-ui, sans-serif; margin: 2rem; color: #1b1b1b; max-width: 64rem; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
figure { margin: 1rem 0; } figcaption { font-size: .9rem; color: #444; }
svg { background: #fafafa; border: 1px solid #ddd; }
svg text { font-size: 11px; fill: #333; }
.axis { stroke: #888; } .grid { stroke: #e3e3e3; }
.budget { stroke: #c62828; stroke-dasharray: 5 4; fill: none; }
.payload { stroke: #1565c0; fill: none; stroke-width: 2; }
table { border-collapse: collapse; font-size: .85rem; }
th, td { border: 1px solid #ccc; padding: .25rem .5rem; text-align: left; }
th { background: #f0f0f0; }
.legend span { display: inline-block; margin-right: 1rem; font-size: .85rem; }
.swatch { display: inline-block; width: .8rem; height: .8rem; margin-right: .3rem;
          vertical-align: middle; }
"""


def _x_positions(count: int) -> list[float]:
    inner = _WIDTH - _LEFT - _RIGHT
    if count == 1:
        return [_LEFT + inner / 2]
    return [_LEFT + inner * index / (count - 1) for index in range(count)]


def _scale(maximum: float) -> Callable[[float], float]:
    inner = _HEIGHT - _TOP - _BOTTOM
    top = maximum if maximum > 0 else 1.0
    return lambda value: _TOP + inner * (1 - value / top)


def _axes(maximum: float, rows: Sequence[RunRow]) -> list[str]:
    y = _scale(maximum)
    parts = []
    for fraction in (0, 0.5, 1):
        value = maximum * fraction
        level = y(value)
        parts.append(
            f'<line class="grid" x1="{_LEFT}" x2="{_WIDTH - _RIGHT}" '
            f'y1="{level:.1f}" y2="{level:.1f}"/>'
        )
        parts.append(
            f'<text x="{_LEFT - 6}" y="{level + 4:.1f}" text-anchor="end">'
            f"{escape(number_text(round(value)))}</text>"
        )
    base = _HEIGHT - _BOTTOM
    parts.append(
        f'<line class="axis" x1="{_LEFT}" x2="{_WIDTH - _RIGHT}" y1="{base}" y2="{base}"/>'
    )
    return [*parts, *_time_labels(rows)]


def _time_labels(rows: Sequence[RunRow]) -> list[str]:
    if not rows:
        return []
    first, last = rows[0].time or "?", rows[-1].time or "?"
    return [
        f'<text x="{_LEFT}" y="{_HEIGHT - 12}">{escape(first)}</text>',
        f'<text x="{_WIDTH - _RIGHT}" y="{_HEIGHT - 12}" text-anchor="end">{escape(last)}</text>',
    ]


def _svg(chart_id: str, title: str, body: Iterable[str]) -> str:
    return (
        f'<svg id="{chart_id}" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {_WIDTH} {_HEIGHT}" '
        f'width="{_WIDTH}" height="{_HEIGHT}"><title>{escape(title)}</title>'
        + "".join(body)
        + "</svg>"
    )


def _run_label(index: int, row: RunRow) -> str:
    return f"run {index + 1}: {row.run_id or 'no run id'} at {row.time or 'unknown time'}"


def _payload_chart(rows: Sequence[RunRow]) -> str:
    values = [v for r in rows for v in (r.payload_bytes, r.budget_bytes) if v is not None]
    maximum = max(values, default=0.0)
    y, xs = _scale(maximum), _x_positions(len(rows))
    parts = _axes(maximum, rows)
    for css, attribute in (("payload", "payload_bytes"), ("budget", "budget_bytes")):
        points = [
            f"{x:.1f},{y(getattr(r, attribute)):.1f}"
            for x, r in zip(xs, rows, strict=True)
            if getattr(r, attribute) is not None
        ]
        if len(points) > 1:
            parts.append(f'<polyline class="{css}" points="{" ".join(points)}"/>')
    for index, (x, row) in enumerate(zip(xs, rows, strict=True)):
        known = row.payload_bytes is not None
        value = row.payload_bytes if row.payload_bytes is not None else 0.0
        fill = "#c62828" if row.budget_status == "exceeds_budget" else "#1565c0"
        detail = (
            f"payload {number_text(value)} bytes, budget "
            f"{number_text(row.budget_bytes) if row.budget_bytes is not None else 'unknown'}, "
            f"{row.budget_status}"
            if known
            else f"payload unknown ({row.budget_status})"
        )
        marker = (
            f'<circle cx="{x:.1f}" cy="{y(value):.1f}" r="4" fill="{fill}"/>'
            if known
            else f'<circle cx="{x:.1f}" cy="{y(0):.1f}" r="4" fill="none" stroke="#888"/>'
        )
        parts.append(
            f'<g class="run" data-run="{index}"><title>{escape(_run_label(index, row))}: '
            f"{escape(detail)}</title>{marker}</g>"
        )
    return _svg("chart-payload", "Payload bytes against the budget, per run", parts)


def _outcome_chart(rows: Sequence[RunRow], providers: Sequence[str]) -> str:
    xs = _x_positions(len(rows))
    lanes = max(len(providers), 1)
    lane = (_HEIGHT - _TOP - _BOTTOM) / lanes
    step = (xs[1] - xs[0]) if len(xs) > 1 else 40.0
    size = max(min(step * 0.8, lane * 0.8, 24.0), 2.0)
    parts = _time_labels(rows)
    for number, name in enumerate(providers):
        middle = _TOP + lane * (number + 0.5)
        parts.append(
            f'<text x="{_LEFT - 6}" y="{middle + 4:.1f}" text-anchor="end">'
            f"{escape(name[:18])}</text>"
        )
    for index, (x, row) in enumerate(zip(xs, rows, strict=True)):
        cells = []
        for number, name in enumerate(providers):
            status = row.providers.get(name)
            if status is None:
                continue
            middle = _TOP + lane * (number + 0.5)
            colour = _STATUS_COLOURS.get(status, _UNKNOWN_COLOUR)
            cells.append(
                f'<rect class="outcome" data-provider="{escape(name)}" data-status='
                f'"{escape(status)}" x="{x - size / 2:.1f}" y="{middle - size / 2:.1f}" '
                f'width="{size:.1f}" height="{size:.1f}" fill="{colour}">'
                f"<title>{escape(name)}: {escape(status)}</title></rect>"
            )
        summary = ", ".join(f"{n} {s}" for n, s in row.providers.items()) or "no providers"
        parts.append(
            f'<g class="run" data-run="{index}"><title>{escape(_run_label(index, row))}: '
            f"{escape(summary)}</title>{''.join(cells)}</g>"
        )
    return _svg("chart-outcomes", "Upload outcomes by provider, per run", parts)


def _sizes_chart(rows: Sequence[RunRow]) -> str:
    maximum = float(max((row.artifact_bytes for row in rows), default=0))
    y, xs = _scale(maximum), _x_positions(len(rows))
    step = (xs[1] - xs[0]) if len(xs) > 1 else 40.0
    width = max(min(step * 0.7, 36.0), 2.0)
    parts = _axes(maximum, rows)
    for index, (x, row) in enumerate(zip(xs, rows, strict=True)):
        bars, bottom = [], 0.0
        for number, artifact in enumerate(a for a in row.artifacts if a.bytes):
            size = float(artifact.bytes or 0)
            colour = _ARTIFACT_COLOURS[number % len(_ARTIFACT_COLOURS)]
            bars.append(
                f'<rect class="artifact" x="{x - width / 2:.1f}" y="{y(bottom + size):.1f}" '
                f'width="{width:.1f}" height="{y(bottom) - y(bottom + size):.1f}" '
                f'fill="{colour}"><title>{escape(artifact.filename)}: {artifact.bytes} bytes'
                f"</title></rect>"
            )
            bottom += size
        parts.append(
            f'<g class="run" data-run="{index}"><title>{escape(_run_label(index, row))}: '
            f"{row.artifact_bytes} bytes in {len(row.artifacts)} artifacts</title>"
            f"{''.join(bars)}</g>"
        )
    return _svg("chart-sizes", "Artifact sizes, per run", parts)


def _legend() -> str:
    seen: dict[str, str] = {}
    for status, colour in _STATUS_COLOURS.items():
        seen.setdefault(colour, status)
    items = [*((s, c) for c, s in seen.items()), ("other", _UNKNOWN_COLOUR)]
    spans = "".join(
        f'<span><i class="swatch" style="background:{c}"></i>{escape(s)}</span>' for s, c in items
    )
    return f'<p class="legend">{spans}</p>'


def _table(report: RunsReport) -> str:
    header = "".join(f"<th>{escape(c)}</th>" for c in (*RUN_COLUMNS, *report.providers))
    body = "".join(
        "<tr>"
        + "".join(f"<td>{escape(cell)}</td>" for cell in run_cells(row, report.providers))
        + "</tr>"
        for row in report.rows
    )
    return f'<table id="runs"><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>'


def _totals(report: RunsReport) -> str:
    t = report.totals
    items = [
        f"Runs: {t.runs}",
        f"Artifacts: {t.artifacts} ({t.artifact_bytes} bytes)",
        f"Runs over the payload budget: {t.over_budget}",
        *(
            f"Provider {name}: " + ", ".join(f"{s} {n}" for s, n in counts.items())
            for name, counts in t.outcomes.items()
        ),
    ]
    return '<ul id="totals">' + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>"


def render_runs_html(report: RunsReport, *, title: str = "Telemetry runs") -> str:
    """The whole page (UTF-8 text ending with a newline)."""
    rows = report.rows
    charts = (
        [
            (
                "Payload bytes against the budget",
                _payload_chart(rows),
                "Blue: payload bytes (red point: over budget; hollow: unknown). "
                "Dashed red: the budget.",
            ),
            ("Upload outcomes by provider", _outcome_chart(rows, report.providers), _legend()),
            (
                "Artifact sizes (bytes)",
                _sizes_chart(rows),
                "One stacked bar per run, one block per file.",
            ),
        ]
        if rows
        else []
    )
    figures = "".join(
        f"<h2>{escape(name)}</h2><figure>{svg}<figcaption>{caption}</figcaption></figure>"
        for name, svg, caption in charts
    )
    empty = "" if rows else "<p>No telemetry manifests were read.</p>"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{escape(title)}</h1>{_totals(report)}{empty}{figures}"
        f"<h2>Runs</h2>{_table(report) if rows else ''}</body></html>\n"
    )
