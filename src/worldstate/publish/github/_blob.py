"""Uploading the zip to its signed URL as an Azure block blob.

The zip goes up in blocks of at most :data:`BLOCK_SIZE` bytes (``Put Block``, every block id
of the same length), then one ``Put Block List`` commits them in order with the content type
``application/zip``.  The signed URL's query is kept byte for byte and the block parameters are
appended to it (re-encoding it would change the signature's padding, which act refuses).
A single ``Put Blob`` is never used: act acknowledges it and drops the data.

Blocks go one after the other, and a block that failed is not sent again, unless the host is
Azure Blob Storage: act appends every block it receives in arrival order, so a parallel or
repeated block would corrupt its copy.  On Azure up to :data:`AZURE_CONCURRENCY` blocks are in
flight and a block that failed with 500, 503 or a network error is retried.

The SHA-256 and size returned are those of exactly the bytes sent.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
import uuid
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import IO, Final
from urllib.parse import quote, urlsplit
from xml.sax.saxutils import escape

import httpx
import tenacity

from worldstate.publish.github._errors import ArtifactError, UploadStalledError

__all__ = [
    "BlobUpload",
    "BlockBlobUploader",
    "BLOCK_SIZE",
    "AZURE_CONCURRENCY",
    "is_azure_host",
    "signature_of",
    "hide_signature",
]

BLOCK_SIZE: Final = 8 * 1024 * 1024
AZURE_CONCURRENCY: Final = 4
AZURE_BLOCK_ATTEMPTS: Final = 4
AZURE_RETRY_WAIT_S: Final = 4.0
_AZURE_SUFFIX: Final = ".blob.core.windows.net"
_RETRYABLE_BLOCK_STATUSES: Final = frozenset({500, 503})

_SIGNATURE = re.compile(r"(?<=[?&]sig=)[^&\s\"']+")

Progress = Callable[[int, int], None]
"""Told ``(bytes sent, total bytes)`` after every block."""


@dataclass(frozen=True, slots=True)
class BlobUpload:
    """What was sent: byte count and SHA-256 (hex) of exactly those bytes, and block count."""

    size: int
    sha256: str
    blocks: int


def is_azure_host(url: str) -> bool:
    """Whether ``url`` points at Azure Blob Storage (parallel, retried blocks are safe)."""
    host = (urlsplit(url).hostname or "").lower()
    return host.endswith(_AZURE_SUFFIX)


def signature_of(url: str) -> str | None:
    """The raw ``sig`` value of a signed URL's query, as it appears there."""
    for pair in urlsplit(url).query.split("&"):
        key, _, value = pair.partition("=")
        if key == "sig" and value:
            return value
    return None


def hide_signature(text: str) -> str:
    """``text`` with the value of every ``sig=`` query parameter replaced by ``***``."""
    return _SIGNATURE.sub("***", text)


class _SignatureFilter(logging.Filter):
    """Hides SAS signatures in the URLs httpx logs for every request it sends."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                hide_signature(str(arg)) if "sig=" in str(arg) else arg for arg in record.args
            )
        record.msg = hide_signature(str(record.msg))
        return True


# httpx logs each request's full URL at INFO; a signed URL's signature must never reach a log.
if not any(isinstance(f, _SignatureFilter) for f in logging.getLogger("httpx").filters):
    logging.getLogger("httpx").addFilter(_SignatureFilter())


class _BlockFailed(ArtifactError):
    def __init__(self, message: str, *, retryable: bool) -> None:
        self.retryable = retryable
        super().__init__(message)


class BlockBlobUploader:
    """Sends a stream to a signed block-blob URL.

    Args:
        http: the HTTP client.
        stall_timeout_s: a request that moves no byte for this long fails the upload.
        sleep: waits between retries of a block (Azure only).
        concurrency: blocks in flight; ``None`` picks by host (Azure 4, elsewhere 1).
    """

    def __init__(
        self,
        http: httpx.Client,
        *,
        stall_timeout_s: float,
        sleep: Callable[[float], None],
        concurrency: int | None = None,
    ) -> None:
        self._http = http
        self._stall_timeout_s = stall_timeout_s
        self._timeout = httpx.Timeout(stall_timeout_s)
        self._sleep = sleep
        self._concurrency = concurrency

    def upload(
        self, signed_url: str, stream: IO[bytes], *, total: int, progress: Progress | None = None
    ) -> BlobUpload:
        """Upload ``stream`` (``total`` bytes) as the blob at ``signed_url``.

        Raises:
            UploadStalledError: a request made no progress within the stall timeout.
            ArtifactError: storage refused a block or the block list (status and storage code).
        """
        azure = is_azure_host(signed_url)
        concurrency = self._concurrency or (AZURE_CONCURRENCY if azure else 1)
        put = self._retrying_put if azure else self._put
        prefix = uuid.uuid4().hex
        digest = hashlib.sha256()
        ids: list[str] = []
        sent = 0

        def stage(index: int, chunk: bytes) -> None:
            put(
                _with_query(signed_url, f"comp=block&blockid={quote(ids[index], safe='')}"),
                chunk,
                {},
                f"block {index + 1}",
            )

        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            pending: set[Future[None]] = set()
            while chunk := stream.read(BLOCK_SIZE):
                digest.update(chunk)
                ids.append(_block_id(prefix, len(ids)))
                if concurrency == 1:
                    stage(len(ids) - 1, chunk)
                else:
                    pending.add(pool.submit(stage, len(ids) - 1, chunk))
                    while len(pending) >= concurrency:
                        pending = _settle(pending, FIRST_COMPLETED)
                sent += len(chunk)
                if progress is not None:
                    progress(sent, total)
            _settle(pending, None)
        self._commit(signed_url, ids, put)
        return BlobUpload(size=sent, sha256=digest.hexdigest(), blocks=len(ids))

    def _commit(
        self,
        signed_url: str,
        ids: list[str],
        put: Callable[[str, bytes, dict[str, str], str], None],
    ) -> None:
        body = (
            '<?xml version="1.0" encoding="utf-8"?><BlockList>'
            + "".join(f"<Latest>{escape(block)}</Latest>" for block in ids)
            + "</BlockList>"
        ).encode()
        headers = {"x-ms-blob-content-type": "application/zip", "Content-Type": "application/xml"}
        put(_with_query(signed_url, "comp=blocklist"), body, headers, "the block list")

    def _retrying_put(self, url: str, body: bytes, headers: dict[str, str], what: str) -> None:
        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(AZURE_BLOCK_ATTEMPTS),
            wait=tenacity.wait_exponential(multiplier=AZURE_RETRY_WAIT_S, max=120),
            retry=tenacity.retry_if_exception(
                lambda exc: isinstance(exc, _BlockFailed) and exc.retryable
            ),
            sleep=self._sleep,
            reraise=True,
        )
        retrying(self._put, url, body, headers, what)

    def _put(self, url: str, body: bytes, headers: dict[str, str], what: str) -> None:
        try:
            response = self._http.put(
                url,
                content=body,
                headers={**headers, "Content-Length": str(len(body))},
                timeout=self._timeout,
            )
        except httpx.TimeoutException as exc:
            raise UploadStalledError(
                f"upload progress stalled: storage did not take {what} within "
                f"{self._stall_timeout_s:g} s (ACTIONS_ARTIFACT_UPLOAD_TIMEOUT_MS)"
            ) from exc
        except httpx.TransportError as exc:
            raise _BlockFailed(
                f"uploading {what} failed: {type(exc).__name__} (the connection to storage "
                "failed; a self-hosted runner needs access to the artifact storage host)",
                retryable=True,
            ) from exc
        if not response.is_success:
            code = response.headers.get("x-ms-error-code", "")
            raise _BlockFailed(
                f"storage refused {what}: HTTP {response.status_code}"
                + (f" ({code})" if code else ""),
                retryable=response.status_code in _RETRYABLE_BLOCK_STATUSES,
            )


def _settle(pending: set[Future[None]], mode: str | None) -> set[Future[None]]:
    if not pending:
        return pending
    done, rest = wait(pending, return_when=mode or "ALL_COMPLETED")
    for future in done:
        future.result()
    return rest


def _block_id(prefix: str, index: int) -> str:
    # 32 hex digits + 16 index digits = 48 characters, so every id has the same length.
    return base64.b64encode(f"{prefix}{index:016d}".encode()).decode()


def _with_query(url: str, extra: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{extra}"
