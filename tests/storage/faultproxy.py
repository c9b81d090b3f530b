"""A small HTTP proxy in front of the S3 server that injects the faults real networks have.

Everything is forwarded unchanged except object ``PUT`` requests, which it can answer with
``503 SlowDown``, cut off half way through their body, or hold until released.
"""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

SLOW_DOWN = (
    b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code>'
    b"<Message>Please reduce your request rate.</Message></Error>"
)


class FaultProxy:
    """Forward to ``upstream``; see the module docs for the faults.

    Attributes:
        slow_down: answer this many object PUTs with 503 SlowDown before forwarding again.
        cut_keys: key suffixes whose PUTs are cut off half way (never forwarded).
        hold_put: the ordinal of the object PUT (1-based) to hold after its body arrived, or
            a key suffix to hold; ``held`` is set then and the request is forwarded once
            ``release`` is set.
        puts: the object PUT paths seen, in order.
    """

    def __init__(self, upstream: str) -> None:
        self.upstream = urlsplit(upstream)
        self.slow_down = 0
        self.cut_keys: set[str] = set()
        self.hold_put: int | str | None = None
        self.held = threading.Event()
        self.release = threading.Event()
        self.puts: list[str] = []
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # answers "Expect: 100-continue" as S3 does

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_PUT(self) -> None:
                proxy._put(self)

            def do_GET(self) -> None:
                proxy._forward(self, self._body())

            def do_HEAD(self) -> None:
                proxy._forward(self, b"")

            def do_POST(self) -> None:
                proxy._forward(self, self._body())

            def do_DELETE(self) -> None:
                proxy._forward(self, self._body())

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"

    def _put(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        path = urlsplit(handler.path).path
        is_object = path.strip("/").count("/") >= 1
        if not is_object:
            proxy_body = handler.rfile.read(length)
            self._forward(handler, proxy_body)
            return
        with self._lock:
            self.puts.append(path)
            ordinal = len(self.puts)
            throttle = self.slow_down > 0
            if throttle:
                self.slow_down -= 1
        if any(path.endswith(key) for key in self.cut_keys):
            handler.rfile.read(length // 2)
            handler.close_connection = True
            handler.connection.shutdown(2)  # the connection drops with half the object sent
            return
        body = handler.rfile.read(length)
        if throttle:
            handler.send_response(503)
            handler.send_header("Content-Type", "application/xml")
            handler.send_header("Content-Length", str(len(SLOW_DOWN)))
            handler.end_headers()
            handler.wfile.write(SLOW_DOWN)
            return
        hold = self.hold_put
        if hold == ordinal or (isinstance(hold, str) and path.endswith(hold)):
            self.held.set()
            self.release.wait(30)
        self._forward(handler, body)

    def _forward(self, handler: BaseHTTPRequestHandler, body: bytes) -> None:
        connection = http.client.HTTPConnection(
            self.upstream.hostname, self.upstream.port, timeout=30
        )
        try:
            headers = {k: v for k, v in handler.headers.items() if k.lower() != "connection"}
            connection.request(handler.command, handler.path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        handler.send_response(response.status)
        head = handler.command == "HEAD"
        for key, value in response.getheaders():
            skipped = ("transfer-encoding", "connection") + (() if head else ("content-length",))
            if key.lower() not in skipped:
                handler.send_header(key, value)
        if not head:
            handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        if handler.command != "HEAD":
            handler.wfile.write(data)

    @contextmanager
    def running(self) -> Iterator[FaultProxy]:
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.release.set()
            self.server.shutdown()
            self.server.server_close()
            thread.join(5)
