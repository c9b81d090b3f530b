"""The exceptions worldstate raises, in one tree.

::

    WorldstateError
    ├── InputError                 bad input from a user or a file (CLI exit code 2)
    │   ├── EventLogError          a line of a JSONL event log        (names file and line)
    │   ├── SnapshotError          a world snapshot or summary        (names file and JSON path)
    │   └── UnsafeNameError        a prefix, artifact or slot name that could escape its folder
    ├── ConfigurationError         an option or setting that cannot work (CLI exit code 2)
    ├── ExportError                an export could not be completed (CLI exit code 1)
    └── SaveError                  a save could not be written, read or migrated
        ├── SlotNotFoundError      no save in that slot (CLI exit code 2)
        ├── InvalidSlotNameError   a slot name that is not a string or normalises to nothing
        ├── CorruptSaveError       a stored payload fails its checksum or does not decode
        ├── CorruptDatabaseError   a save database file is damaged (SQLite pages or header)
        └── MigrationError         a migration step failed; nothing was changed

Programming mistakes (calling an API with the wrong types) raise the usual ``TypeError``
and ``ValueError``.  Foreign exceptions (``OSError``, ``sqlite3.Error``, ``msgspec`` errors)
are translated where they cross into worldstate and chained with ``raise ... from``.
"""

from __future__ import annotations

__all__ = [
    "WorldstateError",
    "InputError",
    "EventLogError",
    "SnapshotError",
    "UnsafeNameError",
    "ConfigurationError",
    "ExportError",
    "SaveError",
    "SlotNotFoundError",
    "SlotLimitError",
    "InvalidSlotNameError",
    "CorruptSaveError",
    "CorruptDatabaseError",
    "MigrationError",
]


class WorldstateError(Exception):
    """Root of every error worldstate raises on purpose."""


class InputError(WorldstateError):
    """Input from a user or a file is malformed.

    Args:
        message: what is wrong, in a sentence.
        source: where the input came from (a file path, ``<stdin>``, an option name).
        location: where inside it (``line 3``, ``$.factions.byId``).
    """

    def __init__(self, message: str, *, source: str | None = None, location: str | None = None):
        self.message = message
        self.source = source
        self.location = location
        super().__init__(self._compose())

    def _compose(self) -> str:
        where = ", ".join(part for part in (self.source, self.location) if part)
        return f"{where}: {self.message}" if where else self.message


class EventLogError(InputError):
    """A line of a JSONL event log is malformed (the location names the line)."""

    def __init__(self, message: str, *, source: str | None = None, line: int | None = None):
        self.line = line
        super().__init__(message, source=source, location=None if line is None else f"line {line}")


class SnapshotError(InputError):
    """A snapshot (or another JSON document) fails validation (the location is a JSON path)."""

    def __init__(self, message: str, *, source: str | None = None, path: str | None = None):
        self.path = path
        super().__init__(message, source=source, location=None if path is None else f"at {path}")


class UnsafeNameError(InputError):
    """A name would leave its folder: absolute, a path separator, ``..`` or control characters."""


class ConfigurationError(WorldstateError, ValueError):
    """An option or setting has a value that cannot work."""


class ExportError(WorldstateError):
    """An export did not complete: at least one writer failed, or the manifest was not written."""


class SaveError(WorldstateError):
    """A save could not be written, read or migrated."""


class SlotNotFoundError(SaveError):
    """There is no save in the requested slot."""

    def __init__(self, slot: str):
        self.slot = slot
        super().__init__(f"no save in slot {slot!r}")


class SlotLimitError(SaveError):
    """A new manual slot would evict older ones and eviction was not allowed.

    Attributes:
        slot: the slot that was to be saved.
        evicted: the manual slots the save would have evicted, oldest first.
        limit: how many manual slots the database keeps.
    """

    def __init__(self, slot: str, evicted: tuple[str, ...], limit: int):
        self.slot = slot
        self.evicted = evicted
        self.limit = limit
        super().__init__(
            f"the database already holds {limit} manual slots, the most it keeps; saving the "
            f"new slot {slot!r} would evict {', '.join(map(repr, evicted))}"
        )


class InvalidSlotNameError(SaveError, InputError):
    """A slot name is not a string, or normalises to nothing."""

    def __init__(self, value: object):
        self.value = value
        InputError.__init__(
            self,
            f"invalid slot name {value!r}: expected a non-empty string "
            "with at least one letter, digit, '-' or '_'",
        )


class CorruptSaveError(SaveError):
    """A stored save fails its checksum, is truncated, or does not decode."""

    def __init__(self, slot: str, reason: str):
        self.slot = slot
        self.reason = reason
        super().__init__(f"save in slot {slot!r} is corrupt: {reason}")


class CorruptDatabaseError(SaveError):
    """A save database file is damaged: SQLite finds a malformed header or page in it."""


class MigrationError(SaveError):
    """A migration step failed; the save and its index were left untouched."""

    def __init__(self, slot: str, from_version: int, to_version: int, reason: str):
        self.slot = slot
        self.from_version = from_version
        self.to_version = to_version
        self.reason = reason
        super().__init__(
            f"migrating slot {slot!r} from version {from_version} to {to_version} failed: {reason}"
        )
