"""Test helpers shipped with worldstate, for your game's tests and ours.

* :func:`capture_events` records what a bus emits (:class:`CapturedEvents`).
* :func:`reduce_event` runs one game event through one slice, as the store would.
* :class:`RecordingWriter` remembers every artifact it was given (and can be told to fail on
  chosen file names); :class:`FailingWriter` fails every write, to check that failures stay
  isolated.
* :class:`~worldstate.clock.ManualClock` is re-exported: a clock that only moves when told to.
"""

from __future__ import annotations

from worldstate.clock import ManualClock
from worldstate.testing._events import CapturedEvents, capture_events
from worldstate.testing._slices import reduce_event
from worldstate.testing._writers import FailingWriter, RecordingWriter, WriteCall

__all__ = [
    "capture_events",
    "CapturedEvents",
    "reduce_event",
    "RecordingWriter",
    "FailingWriter",
    "WriteCall",
    "ManualClock",
]
