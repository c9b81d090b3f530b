"""The records a save is made of: the envelope (the stored JSON) and its index entry.

The envelope keeps the original game's save format so a save written by worldstate reads as
one of its saves: ``{version, timestamp, playtime, slot, gameData, meta: {snapshotSource,
slotLabel}}``.  The index entry is what listing needs without reading payloads, plus the
payload's SHA-256 and size, which make corruption and truncation detectable.
"""

from __future__ import annotations

import hashlib
from enum import StrEnum
from typing import Any

import msgspec

from worldstate.saves._slots import SlotType, slot_type
from worldstate.store import SNAPSHOT_KEYS

__all__ = [
    "CURRENT_SAVE_VERSION",
    "SNAPSHOT_SOURCE",
    "SNAPSHOT_KEYS",
    "SaveMeta",
    "SaveEnvelope",
    "IndexEntry",
    "StoredSave",
    "IndexedSave",
    "SlotInfo",
    "SlotStatus",
    "checksum",
]

CURRENT_SAVE_VERSION = 1
"""The envelope version this release writes; older saves are migrated on load."""

SNAPSHOT_SOURCE = "worldStateStore"


class SaveMeta(msgspec.Struct, frozen=True, rename="camel"):
    """``meta`` of the envelope: where ``gameData`` came from and the player's label."""

    snapshot_source: str | None = None
    slot_label: str | None = None


class SaveEnvelope(msgspec.Struct, frozen=True, rename="camel"):
    """One save as stored: the reference's envelope.

    Attributes:
        version: envelope format version (:data:`CURRENT_SAVE_VERSION` when written).
        timestamp: when it was saved (ms since the epoch).
        playtime: ms of play up to the save.
        slot: the normalised slot name.
        game_data: the world snapshot's keys plus one key per game-data contributor.
        meta: snapshot source and display label.
    """

    version: int
    timestamp: int
    playtime: int
    slot: str
    game_data: dict[str, Any]
    meta: SaveMeta = SaveMeta()


class IndexEntry(msgspec.Struct, frozen=True):
    """One row of the save index: the original game's slot metadata plus checksum and size.

    Attributes:
        slot: normalised slot name.
        timestamp: save time (ms since the epoch).
        playtime: ms of play.
        version: envelope version of the stored payload.
        slot_type: ``auto`` for the autosave slot, ``manual`` otherwise.
        label: display label (the name as the player typed it, trimmed).
        snapshot_source: ``meta.snapshotSource`` of the payload.
        checksum: hex SHA-256 of the payload bytes.
        size: payload length in bytes.
    """

    slot: str
    timestamp: int
    playtime: int
    version: int
    slot_type: SlotType
    label: str
    snapshot_source: str | None
    checksum: str
    size: int

    @classmethod
    def for_payload(cls, envelope: SaveEnvelope, payload: bytes) -> IndexEntry:
        """Build the index entry describing ``payload``, the encoded ``envelope``."""
        return cls(
            slot=envelope.slot,
            timestamp=envelope.timestamp,
            playtime=envelope.playtime,
            version=envelope.version,
            slot_type=slot_type(envelope.slot),
            label=envelope.meta.slot_label or envelope.slot,
            snapshot_source=envelope.meta.snapshot_source,
            checksum=checksum(payload),
            size=len(payload),
        )


def size_problem(entry: IndexEntry, stored_size: int | None) -> str | None:
    """Why a payload of ``stored_size`` bytes (``None``: no payload row) cannot be the one
    ``entry`` describes, or ``None`` when the sizes agree."""
    if stored_size is None:
        return "payload is missing"
    if stored_size != entry.size:
        return f"truncated or resized: {stored_size} bytes stored, {entry.size} written"
    return None


class StoredSave(msgspec.Struct, frozen=True):
    """An index entry with its payload as read back (``None`` if the payload row is gone)."""

    entry: IndexEntry
    payload: bytes | None

    def problem(self) -> str | None:
        """Why this save cannot be trusted, or ``None`` when size and checksum match."""
        if self.payload is None:
            return size_problem(self.entry, None)
        problem = size_problem(self.entry, len(self.payload))
        if problem is None and checksum(self.payload) != self.entry.checksum:
            return "checksum mismatch: the payload changed after it was written"
        return problem


class IndexedSave(msgspec.Struct, frozen=True):
    """An index entry with the size of its stored payload, read without the payload itself.

    Attributes:
        entry: the index entry.
        stored_size: the payload row's length in bytes, or ``None`` if the row is gone.
    """

    entry: IndexEntry
    stored_size: int | None

    def problem(self) -> str | None:
        """A missing or resized payload (changed bytes of the right length need a checksum)."""
        return size_problem(self.entry, self.stored_size)


class SlotStatus(StrEnum):
    """Whether a listed save verifies."""

    OK = "ok"
    CORRUPT = "corrupt"


class SlotInfo(msgspec.Struct, frozen=True):
    """A slot as listed: its index entry, ``status`` and ``problem``.

    Attributes:
        entry: the index entry.
        problem: why the save is corrupt, or ``None`` when no check found a problem.
        verified: whether the payload itself was checked (checksum, decoding); a listing
            reads the index alone and checks only that the payload exists with its size.
    """

    entry: IndexEntry
    problem: str | None = None
    verified: bool = True

    @property
    def status(self) -> SlotStatus:
        """``ok`` or ``corrupt``."""
        return SlotStatus.OK if self.problem is None else SlotStatus.CORRUPT

    def to_dict(self) -> dict[str, Any]:
        """The reference's listing shape, plus ``status``, ``problem``, ``verified``, ``size``
        and ``checksum``."""
        e = self.entry
        return {
            "slot": e.slot,
            "timestamp": e.timestamp,
            "playtime": e.playtime,
            "version": e.version,
            "slotType": e.slot_type.value,
            "label": e.label,
            "snapshotSource": e.snapshot_source,
            "status": self.status.value,
            "problem": self.problem,
            "verified": self.verified,
            "size": e.size,
            "checksum": e.checksum,
        }


def checksum(payload: bytes) -> str:
    """Hex SHA-256 of ``payload``."""
    return hashlib.sha256(payload).hexdigest()
