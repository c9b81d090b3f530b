"""The records a save is made of: the envelope (the stored JSON) and its index entry.

The envelope keeps the reference's format (REFERENCE §3.3) so a save written by worldstate reads
as a reference save: ``{version, timestamp, playtime, slot, gameData, meta: {snapshotSource,
slotLabel}}``.  The index entry is what listing needs without reading payloads, plus the
payload's SHA-256 and size, which make corruption and truncation detectable.
"""

from __future__ import annotations

import hashlib
from enum import StrEnum
from typing import Any

import msgspec

from worldstate.saves._slots import SlotType
from worldstate.store import SNAPSHOT_KEYS

__all__ = [
    "CURRENT_SAVE_VERSION",
    "SNAPSHOT_SOURCE",
    "SNAPSHOT_KEYS",
    "SaveMeta",
    "SaveEnvelope",
    "IndexEntry",
    "StoredSave",
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
    """One row of the save index (REFERENCE §3.3 step 6, plus checksum and size).

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
            slot_type=SlotType.AUTO if envelope.slot == "autosave" else SlotType.MANUAL,
            label=envelope.meta.slot_label or envelope.slot,
            snapshot_source=envelope.meta.snapshot_source,
            checksum=checksum(payload),
            size=len(payload),
        )


class StoredSave(msgspec.Struct, frozen=True):
    """An index entry with its payload as read back (``None`` if the payload row is gone)."""

    entry: IndexEntry
    payload: bytes | None

    def problem(self) -> str | None:
        """Why this save cannot be trusted, or ``None`` when size and checksum match."""
        if self.payload is None:
            return "payload is missing"
        if len(self.payload) != self.entry.size:
            stored, written = len(self.payload), self.entry.size
            return f"truncated or resized: {stored} bytes stored, {written} written"
        if checksum(self.payload) != self.entry.checksum:
            return "checksum mismatch: the payload changed after it was written"
        return None


class SlotStatus(StrEnum):
    """Whether a listed save verifies."""

    OK = "ok"
    CORRUPT = "corrupt"


class SlotInfo(msgspec.Struct, frozen=True):
    """A slot as listed (REFERENCE §3.5 shape plus ``status`` and ``problem``).

    Attributes:
        entry: the index entry.
        problem: why the save is corrupt, or ``None`` when it verifies.
    """

    entry: IndexEntry
    problem: str | None = None

    @property
    def status(self) -> SlotStatus:
        """``ok`` or ``corrupt``."""
        return SlotStatus.OK if self.problem is None else SlotStatus.CORRUPT

    def to_dict(self) -> dict[str, Any]:
        """The reference's listing shape, plus ``status``, ``problem``, ``size``, ``checksum``."""
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
            "size": e.size,
            "checksum": e.checksum,
        }


def checksum(payload: bytes) -> str:
    """Hex SHA-256 of ``payload``."""
    return hashlib.sha256(payload).hexdigest()
