"""Writers: where rendered artifacts go.

A writer is any object with an ``id``, ``write(artifact, *, folder=None) -> WriteResult`` and
``close()`` (the :class:`Writer` protocol).  :class:`WriterFanout` hands every artifact to every
writer and is the only place a writer's failure is caught.  See ``docs/writers.md``.
"""

from __future__ import annotations

from worldstate.writers._base import (
    Writer,
    WriteResult,
    WriteStatus,
    check_filename,
    check_folder,
    normalise_content,
)
from worldstate.writers._fanout import (
    ARTIFACT_FAILED,
    ARTIFACTS_WRITTEN,
    FanoutResult,
    WriterFanout,
    WriterSummary,
)
from worldstate.writers._filesystem import FileSystemWriter
from worldstate.writers._memory import MemoryWriter
from worldstate.writers._sink import DeferredEvents, EventSink

__all__ = [
    "Writer",
    "WriteResult",
    "WriteStatus",
    "FileSystemWriter",
    "MemoryWriter",
    "WriterFanout",
    "FanoutResult",
    "WriterSummary",
    "ARTIFACT_FAILED",
    "ARTIFACTS_WRITTEN",
    "EventSink",
    "DeferredEvents",
    "check_filename",
    "check_folder",
    "normalise_content",
]
