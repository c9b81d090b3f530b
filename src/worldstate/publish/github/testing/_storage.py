"""Where the test service's artifacts live: an in-memory block store or Azurite.

Both hand out write-only signed URLs, as GitHub does, and give the bytes back for checking.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from typing import Final, Protocol
from urllib.parse import parse_qsl, quote

import httpx

__all__ = [
    "BlobStore",
    "MemoryBlockStore",
    "AzuriteStore",
    "BlobRequest",
    "AZURITE_ACCOUNT",
    "AZURITE_KEY",
    "account_sas",
]

AZURITE_ACCOUNT: Final = "devstoreaccount1"
AZURITE_KEY: Final = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)
_SAS_VERSION: Final = "2019-12-12"


class BlobStore(Protocol):
    """Hands out upload URLs and returns what was committed to them."""

    def signed_url(self, run: str, name: str, *, host: str) -> str:
        """A write-only URL for the blob of artifact ``name`` of ``run``."""
        ...

    def read(self, run: str, name: str) -> bytes | None:
        """The committed blob, or ``None`` if nothing was committed."""
        ...

    def delete(self, run: str, name: str) -> None:
        """Forget the blob."""
        ...


@dataclass(frozen=True, slots=True)
class BlobRequest:
    """One request the in-memory store received (for assertions)."""

    query: str
    comp: str | None
    block_id: str | None
    length: int
    content_type: str | None


@dataclass
class _Blob:
    staged: dict[str, bytes] = field(default_factory=dict)
    committed: bytes | None = None
    id_length: int | None = None


class MemoryBlockStore:
    """Block-blob semantics in memory, served by the :class:`ResultsServer` itself.

    A block is staged under its id (ids of one blob must have one length); the block list
    commits the named blocks in order.  A ``Put Blob`` (no ``comp``) is refused, and so is any
    request whose ``sig`` differs in the slightest from the one handed out.
    """

    signature: Final = quote(base64.b64encode(hashlib.sha256(b"memory").digest()).decode(), "")

    def __init__(self) -> None:
        self._blobs: dict[tuple[str, str], _Blob] = {}
        self._lock = threading.Lock()
        self.requests: list[BlobRequest] = []

    def signed_url(self, run: str, name: str, *, host: str) -> str:
        path = f"/blob/{quote(run, '')}/{quote(name, '')}.zip"
        return f"http://{host}{path}?sv=2019-12-12&sr=b&sp=cw&sig={self.signature}"

    def read(self, run: str, name: str) -> bytes | None:
        with self._lock:
            blob = self._blobs.get((run, name))
            return None if blob is None else blob.committed

    def delete(self, run: str, name: str) -> None:
        with self._lock:
            self._blobs.pop((run, name), None)

    def handle_put(
        self,
        run: str,
        name: str,
        raw_query: str,
        headers: httpx.Headers | dict[str, str],
        body: bytes,
    ) -> tuple[int, str]:
        """Apply one PUT; returns (status, error code or '')."""
        params = dict(parse_qsl(raw_query, keep_blank_values=True))
        comp, block_id = params.get("comp"), params.get("blockid")
        content_type = {k.lower(): v for k, v in headers.items()}.get("x-ms-blob-content-type")
        with self._lock:
            self.requests.append(BlobRequest(raw_query, comp, block_id, len(body), content_type))
            if _raw_value(raw_query, "sig") != self.signature:
                return 403, "AuthenticationFailed"
            blob = self._blobs.setdefault((run, name), _Blob())
            if comp == "block" and block_id:
                if blob.id_length not in (None, len(block_id)):
                    return 400, "InvalidBlobOrBlock"
                blob.id_length = len(block_id)
                blob.staged[block_id] = body
                return 201, ""
            if comp == "blocklist":
                try:
                    ids = [item.text or "" for item in ElementTree.fromstring(body)]
                    blob.committed = b"".join(blob.staged[block] for block in ids)
                except (ElementTree.ParseError, KeyError):
                    return 400, "InvalidBlockList"
                blob.staged.clear()
                return 201, ""
            return 400, "PutBlobNotAccepted"


class AzuriteStore:
    """Artifacts as block blobs in an Azurite container, behind write-only account SAS URLs.

    Args:
        blob_endpoint: Azurite's blob endpoint (``http://127.0.0.1:10000/devstoreaccount1``).
        container: the container to keep them in (created if missing).
        http: the HTTP client for creating the container and reading blobs back.
    """

    def __init__(
        self, blob_endpoint: str, *, container: str = "artifacts", http: httpx.Client
    ) -> None:
        self.blob_endpoint = blob_endpoint.rstrip("/")
        self.container = container
        self._http = http
        self._write_sas = account_sas("cw", "o")
        self._admin_sas = account_sas("rwdlac", "sco")
        response = http.put(f"{self.blob_endpoint}/{container}?restype=container&{self._admin_sas}")
        if response.status_code not in (201, 409):
            raise RuntimeError(
                f"Azurite refused to create the container: {response.status_code} {response.text}"
            )

    def _url(self, run: str, name: str) -> str:
        return f"{self.blob_endpoint}/{self.container}/{quote(run, '')}/{quote(name, '')}.zip"

    def signed_url(self, run: str, name: str, *, host: str) -> str:
        return f"{self._url(run, name)}?{self._write_sas}"

    def read(self, run: str, name: str) -> bytes | None:
        response = self._http.get(f"{self._url(run, name)}?{self._admin_sas}")
        if response.status_code == 404:
            return None
        response.raise_for_status()
        return response.content

    def content_type(self, run: str, name: str) -> str | None:
        """The committed blob's content type."""
        response = self._http.head(f"{self._url(run, name)}?{self._admin_sas}")
        return response.headers.get("content-type") if response.is_success else None

    def delete(self, run: str, name: str) -> None:
        self._http.delete(f"{self._url(run, name)}?{self._admin_sas}")


def account_sas(
    permissions: str, resource_types: str, *, expiry: str = "2099-01-01T00:00:00Z"
) -> str:
    """An account SAS query string for Azurite's well-known development account."""
    to_sign = "\n".join(
        (
            AZURITE_ACCOUNT,
            permissions,
            "b",
            resource_types,
            "",
            expiry,
            "",
            "http",
            _SAS_VERSION,
            "",
        )
    )
    key = base64.b64decode(AZURITE_KEY)
    signature = base64.b64encode(hmac.new(key, to_sign.encode(), hashlib.sha256).digest()).decode()
    return (
        f"sv={_SAS_VERSION}&ss=b&srt={resource_types}&sp={permissions}&se={quote(expiry, '')}"
        f"&spr=http&sig={quote(signature, '')}"
    )


def _raw_value(raw_query: str, key: str) -> str | None:
    for pair in raw_query.split("&"):
        name, _, value = pair.partition("=")
        if name == key:
            return value
    return None
