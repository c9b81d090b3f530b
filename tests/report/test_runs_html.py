"""``report runs --html`` opened in a real headless Chromium, kept off the network.

Chromium is started with every flag that stops its own background traffic, and with a proxy
that is a listening socket of this test: any request the page (or the browser) made would
arrive there, so "no request leaves the file" is observed, not assumed.
"""

from __future__ import annotations

import base64
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from tests._paths import REPO_ROOT
from tests.report.cdp import DevToolsPipe, open_page
from tests.report.runs_fixture import make_run

SCREENSHOT = REPO_ROOT / "build" / "test-artifacts" / "report-runs.png"
INSTALL_HINT = "install it with: apt-get update && apt-get install -y chromium"
OFFLINE_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
)
PAYLOADS = (4000, 9000, None, 15000, 11000, 13000)


def _chromium() -> str:
    found = shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )
    if found is None:
        pytest.fail(f"Debian's chromium is needed for this test and is missing; {INSTALL_HINT}")
    return found


@dataclass(frozen=True)
class Browsed:
    """What Chromium showed and did with the page."""

    dom: str
    chart_width: float
    requests: list[str]
    proxy_lines: list[bytes]


class _Recorder:
    """A socket on 127.0.0.1 used as the browser's proxy: it records every request line."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.lines: list[bytes] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            connection.settimeout(5)
            try:
                self.lines.append(connection.recv(4096).split(b"\r\n", 1)[0])
            except OSError:
                self.lines.append(b"? ? (no request line)")
            finally:
                connection.close()

    def close(self) -> None:
        self.server.close()
        self._thread.join(timeout=5)


class _Charts(HTMLParser):
    """Counts ``<g class="run">`` per chart and notes anything that could fetch."""

    def __init__(self) -> None:
        super().__init__()
        self.runs: dict[str, int] = {}
        self.chart: str | None = None
        self.fetching: list[str] = []
        self.csp: str | None = None
        self.table_rows = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "svg":
            self.chart = values.get("id")
            self.runs[self.chart or "?"] = 0
        if tag == "g" and values.get("class") == "run" and self.chart:
            self.runs[self.chart] += 1
        if tag in ("script", "link", "img", "iframe", "object", "embed"):
            self.fetching.append(tag)
        self.fetching += [f"{tag}[{k}]" for k in ("src", "href") if k in values]
        if tag == "meta" and values.get("http-equiv") == "Content-Security-Policy":
            self.csp = values.get("content")
        if tag == "tr":
            self.table_rows += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self.chart = None


@pytest.fixture(name="page", scope="module")
def _page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("runs")
    for index, payload in enumerate(PAYLOADS):
        make_run(root / "runs", index, payload=payload)
    page = root / "page.html"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "worldstate",
            "report",
            "runs",
            str(root / "runs"),
            "--html",
            str(page),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return page


CHROMIUM_SERVICE_HOSTS = ("google.com", "googleapis.com", "gvt1.com", "gstatic.com")


def _host(request_line: bytes) -> str:
    target = request_line.split(b" ")[1].decode("ascii", "replace")
    host = target.split("://", 1)[-1].split("/", 1)[0]
    return host.rsplit(":", 1)[0]


def _is_chromium_service(host: str) -> bool:
    return any(host == s or host.endswith("." + s) for s in CHROMIUM_SERVICE_HOSTS)


@pytest.fixture(name="browser", scope="module")
def _browser(page: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browsed]:
    """The page opened once in Chromium: its DOM, its requests, a screenshot, the proxy log."""
    recorder = _Recorder()
    profile = tmp_path_factory.mktemp("chromium-profile")
    pipe = DevToolsPipe(
        [
            _chromium(),
            *OFFLINE_FLAGS,
            f"--user-data-dir={profile}",
            f"--proxy-server=http://127.0.0.1:{recorder.port}",
            "--proxy-bypass-list=<-loopback>",
            "--window-size=1000,1400",
            "about:blank",
        ]
    )
    try:
        session = open_page(pipe, page)
        dom = pipe.call(
            "Runtime.evaluate",
            session,
            expression="document.documentElement.outerHTML",
            returnByValue=True,
        )["result"]["value"]
        width = pipe.call(
            "Runtime.evaluate",
            session,
            expression="document.getElementById('chart-payload').getBoundingClientRect().width",
            returnByValue=True,
        )["result"]["value"]
        shot = pipe.call(
            "Page.captureScreenshot", session, format="png", captureBeyondViewport=True
        )
        requests = [
            e["params"]["request"]["url"]
            for e in pipe.events
            if e.get("method") == "Network.requestWillBeSent" and e.get("sessionId") == session
        ]
    finally:
        pipe.close()
        recorder.close()
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    SCREENSHOT.write_bytes(base64.b64decode(shot["data"]))
    yield Browsed(dom, float(width), requests, recorder.lines)


def test_page_renders_one_point_per_run(browser: Browsed) -> None:
    """The rendered DOM has three laid-out charts with one mark group per run, and the table."""
    charts = _Charts()
    charts.feed(browser.dom)
    assert charts.runs == {
        "chart-payload": len(PAYLOADS),
        "chart-outcomes": len(PAYLOADS),
        "chart-sizes": len(PAYLOADS),
    }
    assert charts.table_rows == len(PAYLOADS) + 1  # header + one per run
    assert browser.chart_width > 100
    assert charts.csp == "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def test_no_request_leaves_the_file(browser: Browsed, page: Path) -> None:
    """The page requested only itself; nothing reached the proxy on the page's behalf."""
    assert browser.requests == [page.as_uri()]
    # Chromium's own update and account services still knock even with every flag that
    # should stop them; they reach the test's proxy (so not the network), never the page's.
    page_traffic = [line for line in browser.proxy_lines if not _is_chromium_service(_host(line))]
    assert page_traffic == []


def test_page_has_no_external_reference_and_no_script(page: Path) -> None:
    """Nothing in the file could load anything, and it needs no JavaScript."""
    text = page.read_text(encoding="utf-8")
    for needle in ("<script", "http:", "https:", "//", "url(", "@import", " src=", " href="):
        assert needle not in text, needle
    charts = _Charts()
    charts.feed(text)
    assert charts.fetching == []


def test_screenshot_is_saved_as_an_artifact(browser: Browsed) -> None:
    """A full-page screenshot lands in build/test-artifacts/ for people to look at."""
    data = SCREENSHOT.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 10_000  # a blank page compresses to far less
