"""The names of the events the save system emits (the payloads are in ``docs/saves.md``)."""

from __future__ import annotations

from typing import Final

__all__ = [
    "GAME_SAVED",
    "GAME_SAVE_FAILED",
    "GAME_LOADED",
    "GAME_LOAD_FAILED",
    "AUTOSAVE_BURST_COMPLETED",
    "SAVE_EVENTS",
]

GAME_SAVED: Final = "game:saved"
"""``{slot, timestamp, playtime}``: a save was committed."""

GAME_SAVE_FAILED: Final = "game:save_failed"
"""``{slot, error}``: a save could not be encoded or written (the error is raised too)."""

GAME_LOADED: Final = "game:loaded"
"""``{slot, timestamp, playtime}``: the store and contributors were restored from a save."""

GAME_LOAD_FAILED: Final = "game:load_failed"
"""``{slot, error}``: a save could not be used (corrupt, migration failed, storage error)."""

AUTOSAVE_BURST_COMPLETED: Final = "telemetry:autosave_burst_completed"
"""``{iterations, failures, slot, results?, exportResult?}``: the end of an autosave burst."""

SAVE_EVENTS: Final = (
    GAME_SAVED,
    GAME_SAVE_FAILED,
    GAME_LOADED,
    GAME_LOAD_FAILED,
    AUTOSAVE_BURST_COMPLETED,
)
"""Every event name above, in the order ``docs/saves.md`` lists them."""
