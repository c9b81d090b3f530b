"""Test doubles for the artifact client: an in-process artifact service and its storage.

:class:`ResultsServer` serves the service's Twirp API on 127.0.0.1 with faults that can be
scripted per method; :class:`MemoryBlockStore` and :class:`AzuriteStore` keep the blobs.
:func:`runtime_env` builds the variables a job would have.  Used by the test suite and by
``worldstate bench upload``.
"""

from __future__ import annotations

from worldstate.publish.github.testing._peers import (
    NODE_HINT,
    Azurite,
    PeerUnavailableError,
    ensure_node_peers,
)
from worldstate.publish.github.testing._server import Call, Fault, ResultsServer, StoredArtifact
from worldstate.publish.github.testing._storage import (
    AZURITE_ACCOUNT,
    AZURITE_KEY,
    AzuriteStore,
    BlobRequest,
    BlobStore,
    MemoryBlockStore,
    account_sas,
)
from worldstate.publish.github.testing._token import runtime_env, runtime_token

__all__ = [
    "ResultsServer",
    "Fault",
    "Call",
    "StoredArtifact",
    "BlobStore",
    "MemoryBlockStore",
    "AzuriteStore",
    "BlobRequest",
    "AZURITE_ACCOUNT",
    "AZURITE_KEY",
    "account_sas",
    "runtime_env",
    "runtime_token",
    "Azurite",
    "ensure_node_peers",
    "PeerUnavailableError",
    "NODE_HINT",
]
