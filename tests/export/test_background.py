"""Background exports: the write phase on a worker, the events on the collecting thread."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from worldstate.artifacts import Artifact
from worldstate.clock import ManualClock
from worldstate.errors import SnapshotError
from worldstate.events import EventBus
from worldstate.export import Exporter, ExportHandle, ExportResult
from worldstate.testing import FailingWriter, RecordingWriter
from worldstate.writers import FileSystemWriter, MemoryWriter, WriteResult, WriterFanout

NOW = 1761843600000
SUMMARY = {"engine": {"spatialHash": {"history": [{"cellCount": 1}]}}}


class ThreadLog:
    """Every telemetry event with the id of the thread its handler ran on."""

    def __init__(self, bus: EventBus) -> None:
        self.seen: list[tuple[str, Any, int]] = []
        bus.on("telemetry:*", self._record)

    def _record(self, event: str, payload: Any) -> None:
        self.seen.append((event, payload, threading.get_ident()))

    @property
    def names(self) -> list[str]:
        return [name for name, _, _ in self.seen]

    @property
    def threads(self) -> set[int]:
        return {thread for _, _, thread in self.seen}


class GatedWriter:
    """Holds every write until the test opens the gate, so an export stays unfinished."""

    def __init__(self) -> None:
        self.id = "gated"
        self.gate = threading.Event()
        self._memory = MemoryWriter(id="gated")

    def write(self, artifact: Artifact, *, folder: str | None = None) -> WriteResult:
        if not self.gate.wait(timeout=30):
            raise RuntimeError("gate never opened")
        return self._memory.write(artifact, folder=folder)

    def close(self) -> None:
        self._memory.close()


def exporter(*writers: Any, bus: EventBus | None = None) -> Exporter:
    return Exporter(WriterFanout(writers), bus=bus, clock=ManualClock(NOW))


def wait_until_done(handle: ExportHandle) -> None:
    deadline = time.monotonic() + 30
    while not handle.done():
        assert time.monotonic() < deadline, "export did not finish"
        time.sleep(0.005)


def comparable(seen: list[tuple[str, Any, int]]) -> list[tuple[str, Any]]:
    """Events without their measured durations (they differ from run to run)."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k != "durationMs"}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return [(name, strip(payload)) for name, payload, _ in seen]


class TestExportHandle:
    def test_events_arrive_on_the_collecting_thread_in_synchronous_order(self) -> None:
        """Nothing is emitted by the worker; collecting emits what run() would have emitted."""
        sync_bus, background_bus = EventBus(), EventBus()
        sync_log, background_log = ThreadLog(sync_bus), ThreadLog(background_bus)
        with exporter(MemoryWriter(), bus=sync_bus) as runner:
            runner.run(runner.prepare(SUMMARY, prefix="p"))
        with exporter(MemoryWriter(), bus=background_bus) as runner:
            handle = runner.submit(runner.prepare(SUMMARY, prefix="p"))
            wait_until_done(handle)
            assert background_log.seen == []  # finished, but not collected yet
            result = handle.result()
        assert result.ok
        assert background_log.names == [
            "telemetry:export_started",
            "telemetry:artifacts_written",
            "telemetry:export_completed",
            "telemetry:export_budget_status",
        ]
        assert comparable(background_log.seen) == comparable(sync_log.seen)
        assert background_log.threads == {threading.get_ident()}

    def test_events_are_emitted_exactly_once(self) -> None:
        """result() twice, poll() after it: the events went out the first time only."""
        bus = EventBus()
        log = ThreadLog(bus)
        with exporter(MemoryWriter(), bus=bus) as runner:
            handle = runner.submit(runner.prepare(None, now=NOW))
            first = handle.result(timeout=30)
            assert handle.result() is first
            assert handle.poll() is first
        assert len(log.seen) == 3  # started, artifacts_written, completed (no spatial data)

    def test_collected_concurrently_the_events_go_out_once_on_one_thread(self) -> None:
        bus = EventBus()
        log = ThreadLog(bus)
        results: list[ExportResult] = []
        with exporter(MemoryWriter(), bus=bus) as runner:
            handle = runner.submit(runner.prepare(None, now=NOW))
            collectors = [
                threading.Thread(target=lambda: results.append(handle.result(timeout=30)))
                for _ in range(4)
            ]
            for thread in collectors:
                thread.start()
            for thread in collectors:
                thread.join()
        assert len(results) == 4 and all(r is results[0] for r in results)
        assert len(log.seen) == 3
        assert len(log.threads) == 1
        assert log.threads <= {t.ident for t in collectors}

    def test_poll_returns_none_until_done(self) -> None:
        """poll() never blocks: None while writing, the result (and the events) once done."""
        bus = EventBus()
        log = ThreadLog(bus)
        gated = GatedWriter()
        with exporter(gated, bus=bus) as runner:
            handle = runner.submit(runner.prepare(None, now=NOW))
            assert handle.poll() is None
            assert not handle.done()
            with pytest.raises(TimeoutError):
                handle.result(timeout=0.01)
            assert log.seen == []
            gated.gate.set()
            wait_until_done(handle)
            result = handle.poll()
        assert result is not None and result.ok
        assert log.names[0] == "telemetry:export_started"
        assert log.threads == {threading.get_ident()}

    def test_a_failing_writer_yields_a_result_and_its_events(self) -> None:
        """A raising writer in the background: a failed result, never an exception."""
        bus = EventBus()
        log = ThreadLog(bus)
        memory = MemoryWriter()
        with exporter(FailingWriter(id="bad"), memory, bus=bus) as runner:
            result = runner.submit(runner.prepare(None, now=NOW)).result(timeout=30)
        assert not result.ok
        assert {f.writer_id for f in result.failures} == {"bad"}
        assert len(memory.files) == 5
        assert log.names == [
            "telemetry:export_started",
            *["telemetry:artifact_failed"] * 5,
            "telemetry:artifacts_written",
            "telemetry:export_failed",
        ]
        assert log.threads == {threading.get_ident()}

    def test_submitted_exports_run_one_after_another(self) -> None:
        """Several submitted exports all complete, in submission order."""
        recorder = RecordingWriter()
        with exporter(recorder) as runner:
            handles = [
                runner.submit(runner.prepare(None, now=NOW, prefix=f"e{i}")) for i in range(4)
            ]
            assert all(h.result(timeout=30).ok for h in handles)
        prefixes = [name.split("-")[0] for name in recorder.filenames]
        assert prefixes == [p for p in ("e0", "e1", "e2", "e3") for _ in range(5)]

    def test_files_are_written(self, tmp_path: Path) -> None:
        with exporter(FileSystemWriter(tmp_path)) as runner:
            prepared = runner.prepare(None, now=NOW)
            result = runner.submit(prepared).result(timeout=30)
        assert result.ok
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
            a.filename for a in prepared.artifacts
        )


class TestRunAsync:
    def test_events_are_emitted_in_the_event_loop_thread(self) -> None:
        """run_async awaits the worker; the handlers run in the loop's thread, after the await."""
        bus = EventBus()
        log = ThreadLog(bus)
        memory = MemoryWriter()
        seen: dict[str, Any] = {}

        async def main() -> None:
            seen["loop thread"] = threading.get_ident()
            with exporter(memory, bus=bus) as runner:
                result = await runner.run_async(runner.prepare(SUMMARY, now=NOW))
                seen["ok"] = result.ok

        # The loop runs on its own thread, so "the loop's thread" is not just the main thread.
        loop = threading.Thread(target=asyncio.run, args=(main(),))
        loop.start()
        loop.join(timeout=60)
        assert seen["ok"] is True
        assert len(memory.files) == 5
        assert log.names[-1] == "telemetry:export_budget_status"
        assert log.threads == {seen["loop thread"]}

    def test_a_failing_writer_is_a_failed_result(self) -> None:
        async def main() -> ExportResult:
            with exporter(FailingWriter(raises=False)) as runner:
                return await runner.run_async(runner.prepare(None, now=NOW))

        result = asyncio.run(main())
        assert not result.ok and len(result.failures) == 5


class TestExporterBus:
    def test_the_fanout_bus_is_the_default(self) -> None:
        """An exporter without a bus sends every event to its fan-out's bus."""
        bus = EventBus()
        log = ThreadLog(bus)
        runner = Exporter(WriterFanout([MemoryWriter()], bus=bus), clock=ManualClock(NOW))
        with runner:
            runner.submit(runner.prepare(None, now=NOW)).result(timeout=30)
        assert log.names == [
            "telemetry:export_started",
            "telemetry:artifacts_written",
            "telemetry:export_completed",
        ]


class TestSubmitSummary:
    def test_renders_and_writes_on_the_worker_like_a_synchronous_export(self) -> None:
        """submit_summary gives the same artifacts and events as prepare + run, and its
        events arrive on the collecting thread."""
        sync_bus, background_bus = EventBus(), EventBus()
        sync_log, background_log = ThreadLog(sync_bus), ThreadLog(background_bus)
        sync_memory, background_memory = MemoryWriter(), MemoryWriter()
        with exporter(sync_memory, bus=sync_bus) as runner:
            runner.run(runner.prepare(SUMMARY, prefix="p"))
        with exporter(background_memory, bus=background_bus) as runner:
            handle = runner.submit_summary(SUMMARY, prefix="p")
            result = handle.result(timeout=30)
        assert result.ok
        assert background_memory.files == sync_memory.files
        assert comparable(background_log.seen) == comparable(sync_log.seen)
        assert background_log.threads == {threading.get_ident()}

    def test_an_unusable_summary_raises_when_collected_and_writes_nothing(self) -> None:
        """A bad generatedAt surfaces from result() as SnapshotError; no writer is called."""
        memory = MemoryWriter()
        with exporter(memory) as runner:
            handle = runner.submit_summary({"generatedAt": "soon"})
            with pytest.raises(SnapshotError, match=r"\$\.generatedAt"):
                handle.result(timeout=30)
        assert memory.files == {}
