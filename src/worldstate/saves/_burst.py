"""The QA autosave burst: save N times in a row, then emit and return how it went."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import msgspec

from worldstate.errors import SaveError
from worldstate.saves._events import AUTOSAVE_BURST_COMPLETED
from worldstate.saves._manager import SaveManager
from worldstate.saves._slots import AUTOSAVE_SLOT

__all__ = ["BurstIteration", "BurstSummary", "run_autosave_burst"]

logger = logging.getLogger(__name__)


class BurstIteration(msgspec.Struct, frozen=True):
    """One save of a burst: its 1-based number and whether it succeeded."""

    iteration: int
    success: bool


class BurstSummary(msgspec.Struct, frozen=True):
    """The outcome of a burst; :meth:`to_dict` is the event payload.

    Attributes:
        iterations: how many saves were attempted.
        failures: how many of them failed.
        slot: the normalised slot saved to.
        results: per-iteration results, when asked for.
        export_result: what the export callable returned, when one was given.
    """

    iterations: int
    failures: int
    slot: str
    results: tuple[BurstIteration, ...] | None = None
    export_result: Any = None
    exported: bool = False

    def to_dict(self) -> dict[str, Any]:
        """``{iterations, failures, slot, results?, exportResult?}`` (optional keys omitted)."""
        out: dict[str, Any] = {
            "iterations": self.iterations,
            "failures": self.failures,
            "slot": self.slot,
        }
        if self.results is not None:
            out["results"] = [
                {"iteration": r.iteration, "success": r.success} for r in self.results
            ]
        if self.exported:
            out["exportResult"] = self.export_result
        return out


def run_autosave_burst(
    manager: SaveManager,
    *,
    iterations: int = 20,
    slot: str = AUTOSAVE_SLOT,
    delay_ms: int = 0,
    collect_results: bool = False,
    on_iteration: Callable[[int, bool, str], None] | None = None,
    export: Callable[[], Any] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> BurstSummary:
    """Save ``iterations`` times to ``slot``, then emit ``telemetry:autosave_burst_completed``.

    Args:
        manager: the save manager (its bus receives the event).
        iterations: number of saves (at least 1).
        slot: the slot to save to (normalised).
        delay_ms: pause between saves (not after the last).
        collect_results: include per-iteration results in the summary.
        on_iteration: called as ``(iteration, success, slot)`` after each save; its
            exceptions are logged and do not stop the burst.
        export: called once after the saves (e.g. an inspector export); its return value
            becomes ``exportResult``.
        sleep: how to pause (seconds); injected for tests.

    Raises:
        ValueError: ``iterations < 1`` or ``delay_ms < 0``.
        InvalidSlotNameError: a bad slot name.
    """
    if iterations < 1 or delay_ms < 0:
        raise ValueError(f"need iterations >= 1 and delay_ms >= 0, got {iterations}, {delay_ms}")
    name = manager.slot_name(slot)
    results: list[BurstIteration] = []
    for number in range(1, iterations + 1):
        results.append(BurstIteration(number, _save(manager, name)))
        if on_iteration is not None:
            _notify(on_iteration, number, results[-1].success, name)
        if delay_ms and number < iterations:
            sleep(delay_ms / 1000)
    summary = BurstSummary(
        iterations=iterations,
        failures=sum(not r.success for r in results),
        slot=name,
        results=tuple(results) if collect_results else None,
        export_result=export() if export is not None else None,
        exported=export is not None,
    )
    manager.bus.emit(AUTOSAVE_BURST_COMPLETED, summary.to_dict())
    return summary


def _save(manager: SaveManager, slot: str) -> bool:
    try:
        manager.save(slot)
    except SaveError:
        return False  # counted as a failure; game:save_failed already carries the reason
    return True


def _notify(callback: Callable[[int, bool, str], None], number: int, ok: bool, slot: str) -> None:
    try:
        callback(number, ok, slot)
    except Exception:
        # An observer must not abort a QA run; the failure is visible in the log.
        logger.exception("autosave burst on_iteration callback failed (iteration %d)", number)
