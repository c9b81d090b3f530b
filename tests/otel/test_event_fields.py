"""The event fields the metrics read (writes, attempt sizes, replayed events) are in the events
and nowhere else: the manifest keeps its keys."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.otel.conftest import run_export

from worldstate.artifacts import Artifact
from worldstate.events import EventBus
from worldstate.export import EVENTS_REPLAYED
from worldstate.publish import PUBLISH_COMPLETED
from worldstate.storage import StorageWriter
from worldstate.testing import FailingWriter, RecordingWriter
from worldstate.writers import ARTIFACTS_WRITTEN, FileSystemWriter, MemoryWriter, WriterFanout


def artifact(filename: str, content: str, type: str) -> Artifact:
    return Artifact(
        type=type, section=None, filename=filename, mime_type="text/plain", content=content
    )


def test_artifacts_written_lists_every_write_with_kind_format_status_and_bytes(
    tmp_path: Path,
) -> None:
    bus = EventBus()
    seen: list[Any] = []
    bus.on(ARTIFACTS_WRITTEN, lambda event, payload: seen.append(payload))
    ticks = iter(float(n) / 1000 for n in range(100))
    fanout = WriterFanout(
        [
            FileSystemWriter(tmp_path, id="out"),
            MemoryWriter(id="mem"),
            StorageWriter("memory://otel-fields/run", id="bucket"),
            FailingWriter(id="bad", raises=False, error=OSError("disk")),
        ],
        bus=bus,
        timer=lambda: next(ticks),
    )
    artifacts = [
        artifact("a.json", "{}", "json"),
        artifact("b.csv", "x,y\n1,2", "csv"),
    ]
    result = fanout.write(artifacts)
    [payload] = seen
    assert result.writer_kinds == ("filesystem", "memory", "storage", "failing")
    writes = payload["writes"]
    assert [
        (w["writerId"], w["writerKind"], w["filename"], w["format"], w["status"]) for w in writes
    ] == [
        (writer, kind, artifact.filename, artifact.type, "failed" if writer == "bad" else "written")
        for artifact in artifacts
        for writer, kind in (
            ("out", "filesystem"),
            ("mem", "memory"),
            ("bucket", "storage"),
            ("bad", "failing"),
        )
    ]
    on_disk = {p.name: p.stat().st_size for p in tmp_path.iterdir()}
    assert on_disk == {"a.json": 3, "b.csv": 8}
    assert [w["bytes"] for w in writes] == [3, 3, 3, 0, 8, 8, 8, 0]
    assert [w["durationMs"] for w in writes] == [1.0] * 8  # one timer tick per write


def test_a_writer_can_name_its_own_kind() -> None:
    class Shelf(RecordingWriter):
        kind = "shelf"

    bus = EventBus()
    seen: list[Any] = []
    bus.on(ARTIFACTS_WRITTEN, lambda event, payload: seen.append(payload))
    WriterFanout([Shelf(id="s"), RecordingWriter(id="r")], bus=bus).write(
        [artifact("a.json", "{}", "json")]
    )
    assert [w["writerKind"] for w in seen[0]["writes"]] == ["shelf", "recording"]


def test_publish_and_replay_events_carry_sizes_and_counts_the_manifest_does_not(
    tmp_path: Path,
) -> None:
    bus = EventBus()
    seen: dict[str, Any] = {}
    for event in (PUBLISH_COMPLETED, EVENTS_REPLAYED):
        bus.on(event, lambda name, payload: seen.setdefault(name, payload))
    run = run_export(tmp_path, bus=bus)
    attempts = run.publish.result.attempts
    records = seen[PUBLISH_COMPLETED]["commandResults"]
    assert [(r["provider"], r["size"]) for r in records] == [
        ("command", None),
        ("storage", attempts[1].size),
    ]
    assert seen[EVENTS_REPLAYED] == {"origin": "demo", "events": run.source.events}
    manifest = json.loads((tmp_path / "out" / "ci-artifacts.json").read_text("utf-8"))
    assert all("size" not in r for r in manifest["commandResults"])
    assert list(manifest["context"]["metrics"]) == [
        "artifactsAttempted",
        "artifactsWritten",
        "failures",
        "writerSummaries",
        "durationMs",
    ]
    assert "replayed" not in json.dumps(manifest) and "writerKind" not in json.dumps(manifest)
