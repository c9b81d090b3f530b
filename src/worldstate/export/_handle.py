"""A background export's handle: the result, and its events on the collecting thread."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from worldstate.export._records import ExportResult
from worldstate.writers import DeferredEvents, EventSink

if TYPE_CHECKING:  # a handle exists only once a background export started, which loads it
    from concurrent.futures import Future

__all__ = ["ExportHandle"]


class ExportHandle:
    """An export whose write phase runs on a worker thread (see :meth:`Exporter.submit`).

    The worker does not emit the export's events: it records them.  They are emitted once, in
    the order a synchronous run would emit them, on the thread that first collects the result
    with :meth:`poll`, :meth:`result` or :meth:`result_async`, so bus handlers run where the
    game expects them (its loop), never on the worker.  A handle whose result is never collected
    emits nothing.

    A writer's failure never raises: it is in :attr:`ExportResult.failures`.  Only a bug in the
    write phase itself (an exception outside the writers) is re-raised when collecting, after
    the events recorded before it.
    """

    def __init__(
        self, future: Future[ExportResult], events: DeferredEvents, bus: EventSink | None
    ) -> None:
        self._future = future
        self._events = events
        self._bus = bus
        self._lock = threading.Lock()
        self._delivered = False

    def done(self) -> bool:
        """Whether the write phase has finished (collecting the result will not block)."""
        return self._future.done()

    def poll(self) -> ExportResult | None:
        """The result if the export has finished, else ``None``; never blocks.

        Call it from the game loop: the first call that returns a result emits the events.
        """
        return self.result() if self._future.done() else None

    def result(self, timeout: float | None = None) -> ExportResult:
        """Wait for the export (at most ``timeout`` seconds), emit its events, return its result.

        Raises:
            TimeoutError: not finished within ``timeout``; nothing is emitted then.
        """
        from concurrent.futures import wait

        wait([self._future], timeout)
        if not self._future.done():
            raise TimeoutError(f"export still writing after {timeout} s")
        self._deliver()
        return self._future.result()

    async def result_async(self) -> ExportResult:
        """Await the export without blocking the event loop; events go out in the loop's thread."""
        import asyncio  # only for callers that await

        loop = asyncio.get_running_loop()
        finished: asyncio.Future[None] = loop.create_future()

        def mark_finished() -> None:
            if not finished.done():  # the await may have been cancelled meanwhile
                finished.set_result(None)

        self._future.add_done_callback(lambda _: loop.call_soon_threadsafe(mark_finished))
        await finished
        return self.result()

    def _deliver(self) -> None:
        with self._lock:
            if self._delivered:
                return
            self._delivered = True
        self._events.deliver(self._bus)
