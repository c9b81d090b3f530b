"""The budget webhook against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from worldstate.cli import cli
from worldstate.inspector import BudgetEvent, BudgetReport
from worldstate.publish import parse_statuses, send_budget_webhook, webhook_due, webhook_lines

TOKEN_PATH = "/services/T000/B000/hooksecret0123456789"


class Hook:
    """A scripted webhook receiver: each request takes the next planned reply."""

    def __init__(self, plan: list[int | float]) -> None:
        self.plan = list(plan)  # an int: reply with that status; a float: sleep that long
        self.bodies: list[dict[str, Any]] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                hook.bodies.append(json.loads(self.rfile.read(length)))
                step = hook.plan.pop(0) if hook.plan else 200
                if isinstance(step, float):
                    time.sleep(step)
                    step = 200
                try:
                    self.send_response(step)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client timed out and left: that is the case under test

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{TOKEN_PATH}"


@pytest.fixture
def hook(request: pytest.FixtureRequest) -> Iterator[Hook]:
    server = Hook(getattr(request, "param", []))
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


def report() -> BudgetReport:
    event = BudgetEvent(status="exceeds_budget", type="spatialHash", payload_bytes=20000,
                        budget_bytes=12288, exceeded_by=7712, context={"prefix": "p"})  # fmt: skip
    return BudgetReport(status="exceeds_budget", payload_bytes=20000, budget_bytes=12288,
                        exceeded_by=7712, generated_at=1761843600000, events=(event,))  # fmt: skip


def send(url: str, **options: Any) -> Any:
    with httpx.Client() as client:
        return send_budget_webhook(
            url, webhook_lines(report(), {"runId": "42"}), client=client,
            wait_initial=0.01, wait_max=0.02, **options,
        )  # fmt: skip


def test_lines_follow_the_reference() -> None:
    """Status, sizes, time, the latest exceedance, run facts, source."""
    assert webhook_lines(report(), {"runId": "42", "prefix": "p"}) == [
        "Telemetry payload budget status: exceeds_budget",
        "Payload size 20000 bytes (budget 12288 bytes)",
        "Exceeded by 7712 bytes",
        "Generated at 2025-10-30T17:00:00.000Z",
        "Latest exceedance: 20000 bytes vs budget 12288 bytes | +7712 bytes | "
        'context: {"prefix":"p"}',
        "Run ID: 42",
        "Export prefix: p",
        "Source: telemetry export pipeline",
    ]


def test_due_by_status_list() -> None:
    """Default trigger is exceeds_budget; others can be listed."""
    within = BudgetReport(status="within_budget")
    assert webhook_due(report(), parse_statuses([]))
    assert not webhook_due(within, parse_statuses([]))
    assert webhook_due(within, parse_statuses(["unknown, WITHIN_budget"]))


def test_200_is_sent(hook: Hook) -> None:
    """One POST with {"text": ...} and JSON content type."""
    record = send(hook.url)
    assert (record.attempted, record.sent, record.status) == (True, True, 200)
    [body] = hook.bodies
    assert body["text"].startswith("Telemetry payload budget status: exceeds_budget\n")


@pytest.mark.parametrize("hook", [[500, 200]], indirect=True)
def test_500_then_200_is_retried(hook: Hook) -> None:
    """A 5xx is retried; the second attempt succeeds."""
    record = send(hook.url)
    assert record.sent and record.status == 200 and len(hook.bodies) == 2


@pytest.mark.parametrize("hook", [[503, 503, 503]], indirect=True)
def test_5xx_every_time_gives_up(hook: Hook) -> None:
    """Bounded: three attempts, then not sent with the last status."""
    record = send(hook.url)
    assert (record.sent, record.status, len(hook.bodies)) == (False, 503, 3)
    assert hook.url not in (record.error or "") and "hooksecret" not in (record.error or "")


@pytest.mark.parametrize("hook", [[400]], indirect=True)
def test_4xx_is_not_retried(hook: Hook) -> None:
    """A client error is final."""
    record = send(hook.url)
    assert (record.sent, record.status, len(hook.bodies)) == (False, 400, 1)


@pytest.mark.parametrize("hook", [[2.0, 2.0, 2.0]], indirect=True)
def test_timeout(hook: Hook) -> None:
    """A server slower than the timeout: not sent, no status, the URL not in the error."""
    record = send(hook.url, timeout=0.3)
    assert (record.attempted, record.sent, record.status) == (True, False, None)
    assert record.error == "ReadTimeout after 3 attempts"


def test_connection_refused() -> None:
    """Nobody listening: not sent, and the error names no URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    record = send(f"http://127.0.0.1:{port}{TOKEN_PATH}")
    assert (record.sent, record.status, record.error) == (
        False,
        None,
        "ConnectError after 3 attempts",
    )


def test_cli_sends_and_never_leaks_the_url(hook: Hook, tmp_path: Path, caplog: Any) -> None:
    """`export --budget-webhook` posts for an overrun; the URL is nowhere in output or files."""
    history = [{"cellCount": i, "timestamp": i} for i in range(600)]
    summary = tmp_path / "s.json"
    summary.write_text(
        json.dumps({"generatedAt": 1, "engine": {"spatialHash": {"history": history}}})
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli,
        ["export", "--summary", str(summary), "--out", str(out), "--json"],
        env={"TELEMETRY_BUDGET_WEBHOOK_URL": hook.url, "CI": None, "GITHUB_ACTIONS": None},
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["budgetWebhook"] == {"attempted": True, "sent": True, "status": 200, "error": None}
    manifest = (out / "ci-artifacts.json").read_text()
    assert json.loads(manifest)["budgetWebhook"]["sent"] is True
    everything = (
        result.output + manifest + caplog.text + "".join(p.read_text() for p in out.iterdir())
    )
    assert "hooksecret" not in everything and str(hook.server.server_address[1]) not in manifest
    assert len(hook.bodies) == 1


def test_cli_webhook_not_due(hook: Hook, tmp_path: Path) -> None:
    """The demo has no budget overrun: the webhook is configured but not needed."""
    result = CliRunner().invoke(
        cli, ["export", "--demo", "--out", str(tmp_path), "--budget-webhook", hook.url],
        env={"CI": None, "GITHUB_ACTIONS": None},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Budget webhook:  not needed" in result.output
    assert hook.bodies == [] and "hooksecret" not in result.output


def test_cli_refuses_a_bad_webhook_url_without_echoing_it(tmp_path: Path) -> None:
    """Not http(s): exit 2 naming the option or variable; nothing written; URL not printed."""
    for args, env in (
        (["--budget-webhook", "ftp://hooksecret/x"], {}),
        ([], {"TELEMETRY_BUDGET_WEBHOOK_URL": "hooksecret-no-scheme"}),
    ):
        result = CliRunner().invoke(
            cli, ["export", "--demo", "--out", str(tmp_path / "o"), *args],
            env={"CI": None, "GITHUB_ACTIONS": None, **env},
        )  # fmt: skip
        assert result.exit_code == 2, result.output
        assert "hooksecret" not in result.output
        assert ("--budget-webhook" if args else "TELEMETRY_BUDGET_WEBHOOK_URL") in result.output
        assert not (tmp_path / "o").exists()


def test_unwritable_github_files_do_not_break_the_export(tmp_path: Path) -> None:
    """A step summary or output path that cannot be written is logged; the export exits 0."""
    (tmp_path / "file").write_text("")
    result = CliRunner().invoke(
        cli, ["export", "--demo", "--out", str(tmp_path / "o")],
        env={"CI": None, "GITHUB_ACTIONS": "true",
             "GITHUB_STEP_SUMMARY": str(tmp_path / "file" / "s.md"),
             "GITHUB_OUTPUT": str(tmp_path / "file" / "o.txt")},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
