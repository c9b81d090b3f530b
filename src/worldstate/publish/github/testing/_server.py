"""An in-process artifact service (Twirp JSON) on 127.0.0.1 with scriptable faults."""

from __future__ import annotations

import hashlib
import itertools
import json
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Final, Literal
from urllib.parse import unquote, urlsplit

from worldstate.publish.github.testing._storage import BlobStore, MemoryBlockStore

__all__ = ["ResultsServer", "Fault", "Call", "StoredArtifact"]

_PREFIX: Final = "/twirp/github.actions.results.api.v1.ArtifactService/"
_IDS: Final = {"workflow_run_backend_id", "workflow_job_run_backend_id"}
_ALLOWED: Final = {
    "CreateArtifact": _IDS | {"name", "expires_at", "version", "mime_type"},
    "FinalizeArtifact": _IDS | {"name", "size", "hash"},
    "ListArtifacts": _IDS | {"name_filter", "id_filter"},
    "DeleteArtifact": _IDS | {"name"},
    "GetSignedArtifactURL": _IDS | {"name"},
}
# Above 2**53, so a client that reads ids as floats would get them wrong.
_FIRST_ID: Final = 2**53 + 11


@dataclass(frozen=True, slots=True)
class Fault:
    """What to do instead of answering one request.

    Attributes:
        status: answer with this status (with ``body`` and ``headers``).
        body: the answer's body (any bytes, JSON or not).
        headers: extra answer headers (``Retry-After``).
        drop: close the connection without answering.
        drop_after_handling: handle the request (it takes effect), then close the connection
            without answering: an answer lost on the way back.
        stall_s: wait this long first (then answer normally, unless ``status``/``drop`` say).
    """

    status: int | None = None
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    drop: bool = False
    drop_after_handling: bool = False
    stall_s: float = 0.0

    @classmethod
    def twirp(cls, status: int, code: str, msg: str, **headers: str) -> Fault:
        """A Twirp error answer."""
        body = json.dumps({"code": code, "msg": msg}).encode()
        return cls(status=status, body=body, headers=tuple(headers.items()))


@dataclass(frozen=True, slots=True)
class Call:
    """One request the server received."""

    method: str
    body: dict[str, Any] | None
    headers: dict[str, str]
    at: float


@dataclass
class StoredArtifact:
    """An artifact the server knows: pending until finalized."""

    id: int
    run: str
    name: str
    created_at: str
    finalized: bool = False
    size: int = 0
    digest: str | None = None
    request: dict[str, Any] = field(default_factory=dict)


class ResultsServer:
    """The artifact service's Twirp API, answering in snake_case or camelCase.

    It checks requests as strictly as the real services do (unknown keys refused, int64 values
    as strings, the run id present, the version given), keeps artifacts per run, answers 409
    for a second artifact of one name, and on Finalize checks the size and SHA-256 against the
    bytes that reached storage.

    Args:
        store: where blobs go (default: the server's own in-memory block store).
        style: the key style of answers.
    """

    def __init__(
        self, store: BlobStore | None = None, *, style: Literal["snake", "camel"] = "snake"
    ) -> None:
        self.store: BlobStore = store if store is not None else MemoryBlockStore()
        self.style = style
        self.calls: list[Call] = []
        self.artifacts: dict[tuple[str, str], StoredArtifact] = {}
        self._faults: dict[str, deque[Fault]] = defaultdict(deque)
        self._ids = itertools.count(_FIRST_ID)
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.release = threading.Event()

    @property
    def url(self) -> str:
        """The service's base URL (what ``ACTIONS_RESULTS_URL`` holds)."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}/"

    def start(self) -> ResultsServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> ResultsServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def fail(self, method: str, *faults: Fault) -> None:
        """Answer the next requests to ``method`` (``"blob"`` for storage) with ``faults``."""
        with self._lock:
            self._faults[method].extend(faults)

    def calls_to(self, method: str) -> list[Call]:
        """The calls received for ``method``, in order."""
        return [call for call in self.calls if call.method == method]

    def blob(self, name: str, *, run: str = "1") -> bytes | None:
        """The bytes committed for artifact ``name``."""
        return self.store.read(run, name)

    # -- request handling -------------------------------------------------------------------

    def _next_fault(self, method: str) -> Fault | None:
        with self._lock:
            queue = self._faults.get(method)
            return queue.popleft() if queue else None

    def _answer(self, method: str, body: dict[str, Any], host: str) -> tuple[int, dict[str, Any]]:
        problem = _check(method, body)
        if problem:
            return 400, {"code": "invalid_argument", "msg": problem}
        run, name = body["workflow_run_backend_id"], body.get("name", "")
        handler: Callable[[str, str, dict[str, Any], str], tuple[int, dict[str, Any]]] = getattr(
            self, f"_{method}"
        )
        with self._lock:
            return handler(run, name, body, host)

    def _CreateArtifact(
        self, run: str, name: str, body: dict[str, Any], host: str
    ) -> tuple[int, dict[str, Any]]:
        existing = self.artifacts.get((run, name))
        if existing is not None and existing.finalized:
            return 409, {"code": "already_exists", "msg": f"artifact {name} already exists"}
        created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        self.artifacts[(run, name)] = StoredArtifact(
            next(self._ids), run, name, created, request=body
        )
        return 200, {"ok": True, "signed_upload_url": self.store.signed_url(run, name, host=host)}

    def _FinalizeArtifact(
        self, run: str, name: str, body: dict[str, Any], host: str
    ) -> tuple[int, dict[str, Any]]:
        artifact = self.artifacts.get((run, name))
        if artifact is None:
            return 404, {"code": "not_found", "msg": f"no artifact {name} to finalize"}
        data = self.store.read(run, name) or b""
        size, digest = int(body["size"]), f"sha256:{hashlib.sha256(data).hexdigest()}"
        if size != len(data) or body.get("hash", digest) != digest:
            return 400, {
                "code": "invalid_argument",
                "msg": f"size/hash do not match the {len(data)} stored bytes",
            }
        artifact.finalized, artifact.size, artifact.digest = True, size, digest
        return 200, {"ok": True, "artifact_id": str(artifact.id)}

    def _ListArtifacts(
        self, run: str, name: str, body: dict[str, Any], host: str
    ) -> tuple[int, dict[str, Any]]:
        wanted_name, wanted_id = body.get("name_filter"), body.get("id_filter")
        found = [
            {
                "workflow_run_backend_id": run,
                "workflow_job_run_backend_id": artifact.request.get(
                    "workflow_job_run_backend_id", ""
                ),
                "database_id": str(artifact.id),
                "name": artifact.name,
                "size": str(artifact.size),
                "created_at": artifact.created_at,
                "digest": artifact.digest,
            }
            for artifact in self.artifacts.values()
            if artifact.run == run
            and artifact.finalized
            and wanted_name in (None, artifact.name)
            and wanted_id in (None, str(artifact.id))
        ]
        return 200, {"artifacts": found}

    def _DeleteArtifact(
        self, run: str, name: str, body: dict[str, Any], host: str
    ) -> tuple[int, dict[str, Any]]:
        artifact = self.artifacts.pop((run, name), None)
        if artifact is None or not artifact.finalized:
            return 404, {"code": "not_found", "msg": f"no artifact {name}"}
        self.store.delete(run, name)
        return 200, {"ok": True, "artifact_id": str(artifact.id)}

    def _GetSignedArtifactURL(
        self, run: str, name: str, body: dict[str, Any], host: str
    ) -> tuple[int, dict[str, Any]]:
        return 501, {"code": "unimplemented", "msg": "downloads are not served here"}

    def _render(self, value: dict[str, Any]) -> bytes:
        return json.dumps(_styled(value, self.style)).encode()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self._body()
                method = self.path.removeprefix(_PREFIX) if self.path.startswith(_PREFIX) else ""
                try:
                    parsed = json.loads(body) if body else {}
                except ValueError:
                    parsed = None
                server.calls.append(
                    Call(method, parsed, dict(self.headers.items()), time.monotonic())
                )
                if self._faulted(method):
                    return
                if method not in _ALLOWED or not isinstance(parsed, dict):
                    self._send(
                        404 if method not in _ALLOWED else 400,
                        server._render({"code": "bad_route", "msg": f"no route {self.path}"}),
                    )
                    return
                status, answer = server._answer(method, parsed, self.headers.get("Host", ""))
                if self._lost:
                    self._drop()
                    return
                self._send(
                    status, server._render(answer) if status == 200 else json.dumps(answer).encode()
                )

            def do_PUT(self) -> None:
                body = self._body()
                server.calls.append(
                    Call("blob", None, dict(self.headers.items()), time.monotonic())
                )
                if self._faulted("blob"):
                    return
                parts = urlsplit(self.path)
                segments = parts.path.split("/")
                store = server.store
                if (
                    len(segments) != 4
                    or segments[1] != "blob"
                    or not isinstance(store, MemoryBlockStore)
                ):
                    self._send(404, b"")
                    return
                run, name = unquote(segments[2]), unquote(segments[3]).removesuffix(".zip")
                status, code = store.handle_put(
                    run, name, parts.query, dict(self.headers.items()), body
                )
                self._send(status, b"", (("x-ms-error-code", code),) if code else ())

            def _body(self) -> bytes:
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(length) if length else b""

            _lost = False

            def _drop(self) -> None:
                self.close_connection = True
                self.connection.close()

            def _faulted(self, method: str) -> bool:
                self._lost = False
                fault = server._next_fault(method)
                if fault is None:
                    return False
                if fault.stall_s:
                    server.release.wait(fault.stall_s)
                if fault.drop:
                    self._drop()
                    return True
                self._lost = fault.drop_after_handling
                if fault.status is None:
                    return False
                self._send(fault.status, fault.body, fault.headers)
                return True

            def _send(
                self, status: int, body: bytes, headers: tuple[tuple[str, str], ...] = ()
            ) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for key, value in headers:
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

        return Handler


def _check(method: str, body: dict[str, Any]) -> str:
    unknown = sorted(set(body) - _ALLOWED[method])
    if unknown:
        return f"unknown field {unknown[0]!r}"
    if not body.get("workflow_run_backend_id"):
        return "workflow_run_backend_id is required"
    if method in ("CreateArtifact", "FinalizeArtifact", "DeleteArtifact") and not body.get("name"):
        return "name is required"
    if method == "CreateArtifact" and body.get("version") not in (4, 7):
        return f"unsupported version {body.get('version')!r}"
    if method == "CreateArtifact" and body.get("version") == 4 and "mime_type" in body:
        return "mime_type needs version 7"
    if method == "FinalizeArtifact" and not isinstance(body.get("size"), str):
        return "size must be an int64 string"
    if "id_filter" in body and not isinstance(body["id_filter"], str):
        return "id_filter must be an int64 string"
    return ""


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part.title() for part in rest)


def _styled(value: Any, style: str) -> Any:
    if isinstance(value, dict):
        return {
            (_camel(key) if style == "camel" else key): _styled(item, style)
            for key, item in value.items()
            if item is not None
        }
    if isinstance(value, list):
        return [_styled(item, style) for item in value]
    return value
