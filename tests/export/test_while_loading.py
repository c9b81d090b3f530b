"""The context the CLI loads and replays a source in (it pauses the garbage collector there)."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from tests._paths import STORY_EVENTS

from worldstate._collector import collector_paused
from worldstate.export import SourceRequest
from worldstate.replay import RecordedEvent


def _recording(log: list[str]) -> Callable[[], Iterator[None]]:
    @contextmanager
    def while_loading() -> Iterator[None]:
        log.append("enter")
        yield
        log.append("exit")

    return while_loading


def _counting_progress(log: list[str]) -> Callable[[int | None], Iterator[Callable[..., None]]]:
    @contextmanager
    def progress(lines: int | None) -> Iterator[Callable[[RecordedEvent], None]]:
        yield lambda event: log.append("event")

    return progress


@pytest.mark.parametrize("source", ["events", "demo"])
def test_a_replay_runs_every_event_inside_the_loading_context(source: str) -> None:
    log: list[str] = []
    request = SourceRequest(
        demo=source == "demo",
        events_log=str(STORY_EVENTS) if source == "events" else None,
        while_loading=_recording(log),
    )
    loaded = request.load(generated_at=5, wall_clock=lambda: 0, progress=_counting_progress(log))
    assert loaded.summary is not None
    assert log[0] == "enter" and log[-1] == "exit"
    assert log.count("enter") == 1 and log.count("exit") == 1
    assert log.count("event") > 10


def test_collector_paused_turns_the_collector_off_and_back_on() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_collector_paused_restores_it_when_the_block_raises() -> None:
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
