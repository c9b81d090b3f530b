"""Fixtures for the artifact client tests: an in-process artifact service on 127.0.0.1, and the
real peers (Azurite, nektos/act, the official Node client) started by the tests themselves."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from worldstate.publish.github import ArtifactClient
from worldstate.publish.github.testing import ResultsServer, runtime_env

ClientFactory = Callable[..., ArtifactClient]


class Sleeps(list[float]):
    """The waits a client asked for, recorded instead of slept."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture(name="sleeps")
def _sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture(name="masked")
def _masked() -> list[str]:
    return []


@pytest.fixture(name="server")
def _server() -> Iterator[ResultsServer]:
    with ResultsServer() as server:
        yield server


@pytest.fixture(name="make_client")
def _make_client(
    server: ResultsServer, sleeps: Sleeps, masked: list[str]
) -> Iterator[ClientFactory]:
    clients: list[ArtifactClient] = []

    def make(**env: str) -> ArtifactClient:
        client = ArtifactClient(
            runtime_env(server.url, extra=env), sleep=sleeps, mask=masked.append
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def write_tree(root: Path, files: dict[str, bytes]) -> Path:
    """Create ``files`` (relative path -> content) under ``root`` and return ``root``."""
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return root
