"""Blocks on an Azure storage host: several in flight, a failed one retried.

No Azure account is reachable from the tests, so the only stand-in is the host name: a
transport sends requests for ``*.blob.core.windows.net`` to the in-process block store on
127.0.0.1 instead (the requests, their order and the store are all real).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from random import Random

import httpx

from worldstate.publish.github import ArtifactClient
from worldstate.publish.github.testing import Fault, MemoryBlockStore, ResultsServer, runtime_env

from .conftest import Sleeps, write_tree

AZURE_HOST = "worldstate.blob.core.windows.net"


class AzureNamedStore(MemoryBlockStore):
    """The in-memory block store, handing out URLs that name an Azure storage host."""

    def signed_url(self, run: str, name: str, *, host: str) -> str:
        return super().signed_url(run, name, host=AZURE_HOST).replace("http://", "https://", 1)


class ToLocalServer(httpx.BaseTransport):
    """Sends requests for the Azure host to the local server; everything else unchanged."""

    def __init__(self, local: str) -> None:
        self._inner = httpx.HTTPTransport()
        self._local = httpx.URL(local)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == AZURE_HOST:
            request.url = request.url.copy_with(
                scheme="http", host=self._local.host, port=self._local.port
            )
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


def test_parallel_blocks_with_one_retried_after_503(tmp_path: Path, sleeps: Sleeps) -> None:
    """40 MiB in 5 blocks, 4 in flight; the first block's 503 is retried after 4 s; zip intact."""
    data = Random(7).randbytes(40 * 1024 * 1024)
    root = write_tree(tmp_path, {"big.bin": data})
    store = AzureNamedStore()
    with ResultsServer(store) as server:
        server.fail("blob", Fault(status=503))
        with (
            httpx.Client(transport=ToLocalServer(server.url)) as http,
            ArtifactClient(
                runtime_env(server.url), http=http, sleep=sleeps, mask=lambda _: None
            ) as client,
        ):
            uploaded = client.upload("big", [root], root=root, compression_level=0)
        blob = server.blob("big") or b""
    assert zipfile.ZipFile(io.BytesIO(blob)).read("big.bin") == data
    assert uploaded.size == len(blob)
    blocks = [request for request in store.requests if request.comp == "block"]
    assert len(blocks) == 6  # five blocks, one of them twice
    assert sleeps == [4.0]
