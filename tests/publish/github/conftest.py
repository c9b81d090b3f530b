"""Fixtures for the artifact client tests: an in-process artifact service on 127.0.0.1, and the
real peers (Azurite, nektos/act, the official Node client) started by the tests themselves."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tests._paths import REPO_ROOT

from worldstate.publish.github import ArtifactClient
from worldstate.publish.github.testing import (
    Azurite,
    PeerUnavailableError,
    ResultsServer,
    ensure_node_peers,
    runtime_env,
)

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


NODE_PACKAGE = REPO_ROOT / "tests" / "peers" / "node"
CACHE = REPO_ROOT / ".cache"


@pytest.fixture(name="node_peers", scope="session")
def _node_peers() -> Path:
    """The pinned npm packages (Azurite, @actions/artifact), installed once into .cache/."""
    try:
        return ensure_node_peers(NODE_PACKAGE, CACHE)
    except PeerUnavailableError as exc:
        pytest.fail(f"the Node peers are unavailable: {exc}", pytrace=False)


@pytest.fixture(name="azurite", scope="session")
def _azurite(node_peers: Path) -> Iterator[Azurite]:
    """Azurite's blob service on 127.0.0.1, in memory, for the whole session."""
    try:
        emulator = Azurite(node_peers).start()
    except PeerUnavailableError as exc:
        pytest.fail(f"Azurite could not start: {exc}", pytrace=False)
    yield emulator
    emulator.stop()
