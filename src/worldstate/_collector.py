"""When the cyclic garbage collector is paused (the CLI's loading and replaying, and the
benchmarks that time what the CLI does)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off for the block (back on after it, whatever happens;
    a collector that was already off stays off).

    For loading and replaying a world: they build millions of long-lived containers and no
    reference cycles (world state is JSON-shaped), so the collector would only re-scan them,
    and at world scale each scan of a young container also reads the old records it points to
    (cache misses that grow with the world).  Never used around a caller's own code: the
    library leaves the collector alone.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
