"""Encoding and decoding save payloads (compact JSON via msgspec).

Decoding is in two steps so old saves can be migrated: the bytes are first decoded to plain
JSON values (the migrations work on those), then converted to a :class:`SaveEnvelope`, which
checks the envelope's shape.
"""

from __future__ import annotations

from typing import Any

import msgspec

from worldstate.errors import CorruptSaveError
from worldstate.saves._records import SaveEnvelope, StoredSave

__all__ = ["encode_envelope", "decode_json", "to_envelope", "verified_json"]

_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder()


def encode_envelope(envelope: SaveEnvelope) -> bytes:
    """Compact JSON bytes of ``envelope``.

    Raises:
        TypeError: ``gameData`` holds something JSON cannot represent.
    """
    try:
        return _encoder.encode(envelope)
    except (TypeError, msgspec.EncodeError) as exc:
        raise TypeError(f"save for slot {envelope.slot!r} is not JSON-serialisable: {exc}") from exc


def decode_json(slot: str, payload: bytes) -> dict[str, Any]:
    """Decode ``payload`` into a JSON object.

    Raises:
        CorruptSaveError: it is not JSON, or not an object.
    """
    try:
        data = _decoder.decode(payload)
    except msgspec.DecodeError as exc:
        raise CorruptSaveError(slot, f"payload does not decode: {exc}") from exc
    if not isinstance(data, dict):
        raise CorruptSaveError(slot, f"payload is a JSON {type(data).__name__}, not an object")
    return data


def verified_json(stored: StoredSave) -> dict[str, Any]:
    """Check ``stored`` against its checksum and decode it.

    Raises:
        CorruptSaveError: missing, truncated, changed, or not a JSON object.
    """
    problem = stored.problem()
    if problem is not None:
        raise CorruptSaveError(stored.entry.slot, problem)
    assert stored.payload is not None  # problem() reports a missing payload
    return decode_json(stored.entry.slot, stored.payload)


def to_envelope(slot: str, data: dict[str, Any]) -> SaveEnvelope:
    """Convert a current-version JSON object into a :class:`SaveEnvelope`.

    Raises:
        CorruptSaveError: the object does not have the envelope's shape.
    """
    try:
        return msgspec.convert(data, SaveEnvelope)
    except msgspec.ValidationError as exc:
        raise CorruptSaveError(slot, f"not a save envelope: {exc}") from exc
