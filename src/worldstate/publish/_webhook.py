"""The budget webhook: a short text message POSTed when the payload budget is exceeded.

The URL is a secret (chat webhooks carry their token in the path): it is never logged,
printed or recorded.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from worldstate._js import dumps_compact, js_string
from worldstate.errors import ConfigurationError
from worldstate.inspector import EXCEEDS_BUDGET, BudgetReport
from worldstate.publish._manifest import WebhookRecord

if TYPE_CHECKING:
    import httpx

__all__ = [
    "DEFAULT_WEBHOOK_STATUSES",
    "WEBHOOK_SOURCE_LINE",
    "check_webhook_url",
    "parse_statuses",
    "webhook_due",
    "webhook_lines",
    "send_budget_webhook",
]

log = logging.getLogger(__name__)

DEFAULT_WEBHOOK_STATUSES: Final = (EXCEEDS_BUDGET,)
WEBHOOK_SOURCE_LINE: Final = "Source: telemetry export pipeline"
_RETRY_STATUSES: Final = frozenset({429, 500, 502, 503, 504})
_CONTEXT_LINES: Final = (("runId", "Run ID"), ("branch", "Branch"), ("prefix", "Export prefix"),
                         ("missionId", "Mission"))  # fmt: skip


def check_webhook_url(url: str, *, source: str) -> str:
    """Return ``url`` if it is an ``http``/``https`` URL with a host.

    Raises:
        ConfigurationError: names ``source`` (the option or variable), never the URL itself.
    """
    import httpx  # only when a webhook is configured

    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise ConfigurationError(f"{source}: not a valid URL") from exc
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ConfigurationError(f"{source}: give an http:// or https:// URL with a host")
    return url


def parse_statuses(values: Iterable[str]) -> tuple[str, ...]:
    """Comma lists of statuses, lower-cased; none given means ``exceeds_budget``."""
    parsed = tuple(p.strip().lower() for v in values for p in v.split(",") if p.strip())
    return parsed or DEFAULT_WEBHOOK_STATUSES


def webhook_due(report: BudgetReport, statuses: Sequence[str]) -> bool:
    """Whether the report's status is one of ``statuses``, or any event exceeded the budget."""
    return report.status.lower() in statuses or report.has_budget_overruns


def _number(value: float | None) -> str:
    return js_string(value)


def _exceedance(report: BudgetReport) -> str:
    event = next((e for e in report.events if e.status == EXCEEDS_BUDGET), None)
    if event is None:
        return f"Events recorded: {len(report.events)}"
    fragments = []
    if event.payload_bytes is not None and event.budget_bytes is not None:
        fragments.append(
            f"{_number(event.payload_bytes)} bytes vs budget {_number(event.budget_bytes)} bytes"
        )
    if event.exceeded_by is not None:
        fragments.append(f"+{_number(event.exceeded_by)} bytes")
    if event.context:
        context = event.context
        fragments.append(
            f"context: {context if isinstance(context, str) else dumps_compact(context)}"
        )
    return "Latest exceedance: " + (" | ".join(fragments) or "details in artifacts")


def webhook_lines(report: BudgetReport, run_context: Mapping[str, Any]) -> list[str]:
    """The message's lines: status, sizes, time, the latest exceedance, run facts, source."""
    lines = [f"Telemetry payload budget status: {report.status or 'unknown'}"]
    if report.payload_bytes is not None:
        size = f"Payload size {_number(report.payload_bytes)} bytes"
        if report.budget_bytes is not None:
            size += f" (budget {_number(report.budget_bytes)} bytes)"
        lines.append(size)
    if report.exceeded_by is not None and report.exceeded_by > 0:
        lines.append(f"Exceeded by {_number(report.exceeded_by)} bytes")
    if report.generated_iso:
        lines.append(f"Generated at {report.generated_iso}")
    lines.append(_exceedance(report))
    lines += [
        f"{label}: {run_context[key]}" for key, label in _CONTEXT_LINES if run_context.get(key)
    ]
    lines.append(WEBHOOK_SOURCE_LINE)
    return lines


class _RetryableStatus(Exception):
    def __init__(self, status: int) -> None:
        self.status = status
        super().__init__(f"HTTP {status}")


def send_budget_webhook(
    url: str,
    lines: Sequence[str],
    *,
    client: httpx.Client,
    attempts: int = 3,
    timeout: float = 10.0,
    wait_initial: float = 0.5,
    wait_max: float = 5.0,
) -> WebhookRecord:
    """POST ``{"text": lines joined by newlines}`` to ``url``; retry 429, 5xx and network errors.

    Never raises for the remote side: the result says whether it was sent, the last HTTP
    status, and a short error without the URL.
    """
    import httpx
    import tenacity

    body = {"text": "\n".join(lines)}
    retrying = tenacity.Retrying(
        stop=tenacity.stop_after_attempt(attempts),
        wait=tenacity.wait_exponential(multiplier=wait_initial, max=wait_max),
        retry=tenacity.retry_if_exception_type((httpx.TransportError, _RetryableStatus)),
        reraise=True,
    )

    def post() -> httpx.Response:
        response = client.post(url, json=body, timeout=timeout)
        if response.status_code in _RETRY_STATUSES:
            raise _RetryableStatus(response.status_code)
        return response

    try:
        response = retrying(post)
    except _RetryableStatus as exc:
        return _failed(exc.status, f"HTTP {exc.status} after {attempts} attempts")
    except httpx.TransportError as exc:
        # The exception's text may quote the URL: only its type is kept.
        return _failed(None, f"{type(exc).__name__} after {attempts} attempts")
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        return _failed(None, f"{type(exc).__name__}: the URL cannot be used")
    if response.is_success:
        return WebhookRecord(attempted=True, sent=True, status=response.status_code)
    return _failed(response.status_code, f"HTTP {response.status_code}")


def _failed(status: int | None, error: str) -> WebhookRecord:
    log.warning("budget webhook not sent: %s", error)
    return WebhookRecord(attempted=True, sent=False, status=status, error=error)
