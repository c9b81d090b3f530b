"""Benchmarks behind ``worldstate bench``: dispatch, replay, per-event cost at world scale,
export, saves, writers, uploads, and the pytest plugin's overhead.

Each benchmark lives in its own private module, imported on first use of one of its names so that
one benchmark command does not pay for the others (httpx for uploads, SQLite for saves).
"""

from __future__ import annotations

import typing

from worldstate import _lazy_exports

if typing.TYPE_CHECKING:
    from worldstate.bench._dispatch import (
        WorkloadStep,
        load_workload,
        run_dispatch_bench,
    )
    from worldstate.bench._events import (
        DEFAULT_LARGE,
        DEFAULT_ROUNDS,
        DEFAULT_SMALL,
        LEFT_OUT,
        EventScale,
        EventScaleReport,
        probe_events,
        run_event_scale_bench,
        world_events,
    )
    from worldstate.bench._export import (
        ExportRun,
        large_world_events,
        run_export_bench,
        write_large_world,
    )
    from worldstate.bench._pytest import (
        OVERHEAD_BUDGET_MS,
        PytestBenchReport,
        PytestBenchRound,
        run_pytest_bench,
    )
    from worldstate.bench._replay import (
        NpcWorld,
        ReplayBenchResult,
        WorldSizeBenchResult,
        npc_world,
        run_replay_bench,
        run_world_size_bench,
    )
    from worldstate.bench._saves import (
        LIST_TARGET_MS,
        SAVE_P50_TARGET_MS,
        SAVE_RATIO_TARGET,
        FixedSnapshot,
        LatencyStats,
        SaveBenchReport,
        SaveBenchResult,
        SlotsBenchReport,
        fill_slots,
        run_save_bench,
        run_slots_bench,
    )
    from worldstate.bench._upload import (
        UploadBenchReport,
        UploadTiming,
        parse_size,
        run_upload_bench,
    )
    from worldstate.bench._writer import (
        Timing,
        WriterBenchStats,
        load_summaries,
        render_export,
        run_storage_bench,
        run_writer_bench,
    )

_LAZY = {
    "DEFAULT_LARGE": "worldstate.bench._events",
    "DEFAULT_ROUNDS": "worldstate.bench._events",
    "DEFAULT_SMALL": "worldstate.bench._events",
    "EventScale": "worldstate.bench._events",
    "EventScaleReport": "worldstate.bench._events",
    "LEFT_OUT": "worldstate.bench._events",
    "probe_events": "worldstate.bench._events",
    "run_event_scale_bench": "worldstate.bench._events",
    "world_events": "worldstate.bench._events",
    "ExportRun": "worldstate.bench._export",
    "FixedSnapshot": "worldstate.bench._saves",
    "LIST_TARGET_MS": "worldstate.bench._saves",
    "LatencyStats": "worldstate.bench._saves",
    "NpcWorld": "worldstate.bench._replay",
    "OVERHEAD_BUDGET_MS": "worldstate.bench._pytest",
    "PytestBenchReport": "worldstate.bench._pytest",
    "PytestBenchRound": "worldstate.bench._pytest",
    "ReplayBenchResult": "worldstate.bench._replay",
    "SAVE_P50_TARGET_MS": "worldstate.bench._saves",
    "SAVE_RATIO_TARGET": "worldstate.bench._saves",
    "SaveBenchReport": "worldstate.bench._saves",
    "SaveBenchResult": "worldstate.bench._saves",
    "SlotsBenchReport": "worldstate.bench._saves",
    "Timing": "worldstate.bench._writer",
    "UploadBenchReport": "worldstate.bench._upload",
    "UploadTiming": "worldstate.bench._upload",
    "WorkloadStep": "worldstate.bench._dispatch",
    "WorldSizeBenchResult": "worldstate.bench._replay",
    "WriterBenchStats": "worldstate.bench._writer",
    "fill_slots": "worldstate.bench._saves",
    "large_world_events": "worldstate.bench._export",
    "load_summaries": "worldstate.bench._writer",
    "load_workload": "worldstate.bench._dispatch",
    "npc_world": "worldstate.bench._replay",
    "parse_size": "worldstate.bench._upload",
    "render_export": "worldstate.bench._writer",
    "run_dispatch_bench": "worldstate.bench._dispatch",
    "run_export_bench": "worldstate.bench._export",
    "run_pytest_bench": "worldstate.bench._pytest",
    "run_replay_bench": "worldstate.bench._replay",
    "run_save_bench": "worldstate.bench._saves",
    "run_slots_bench": "worldstate.bench._saves",
    "run_storage_bench": "worldstate.bench._writer",
    "run_upload_bench": "worldstate.bench._upload",
    "run_world_size_bench": "worldstate.bench._replay",
    "run_writer_bench": "worldstate.bench._writer",
    "write_large_world": "worldstate.bench._export",
}

__all__ = [
    "DEFAULT_LARGE",
    "DEFAULT_ROUNDS",
    "DEFAULT_SMALL",
    "EventScale",
    "EventScaleReport",
    "ExportRun",
    "FixedSnapshot",
    "LEFT_OUT",
    "LIST_TARGET_MS",
    "LatencyStats",
    "NpcWorld",
    "OVERHEAD_BUDGET_MS",
    "PytestBenchReport",
    "PytestBenchRound",
    "ReplayBenchResult",
    "SAVE_P50_TARGET_MS",
    "SAVE_RATIO_TARGET",
    "SaveBenchReport",
    "SaveBenchResult",
    "SlotsBenchReport",
    "Timing",
    "UploadBenchReport",
    "UploadTiming",
    "WorkloadStep",
    "WorldSizeBenchResult",
    "WriterBenchStats",
    "fill_slots",
    "large_world_events",
    "load_summaries",
    "load_workload",
    "npc_world",
    "parse_size",
    "probe_events",
    "render_export",
    "run_dispatch_bench",
    "run_event_scale_bench",
    "run_export_bench",
    "run_pytest_bench",
    "run_replay_bench",
    "run_save_bench",
    "run_slots_bench",
    "run_storage_bench",
    "run_upload_bench",
    "run_world_size_bench",
    "run_writer_bench",
    "world_events",
    "write_large_world",
]


__getattr__, __dir__ = _lazy_exports(__name__, _LAZY, globals(), __all__)
