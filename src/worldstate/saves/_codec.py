"""Encoding and decoding save payloads (compact JSON via msgspec).

Decoding is in two steps so old saves can be migrated: the bytes are first decoded to plain
JSON values (the migrations work on those), then converted to a :class:`SaveEnvelope`, which
checks the envelope's shape.
"""

from __future__ import annotations

from typing import Any

import msgspec

from worldstate.errors import CorruptSaveError
from worldstate.saves._records import SaveEnvelope, SaveMeta, StoredSave

__all__ = ["encode_envelope", "decode_json", "to_envelope", "verified_json", "join_objects"]

_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder()


class _RawEnvelope(msgspec.Struct, frozen=True, rename="camel"):
    """:class:`SaveEnvelope` with ``gameData`` as ready-made JSON (same fields, same order)."""

    version: int
    timestamp: int
    playtime: int
    slot: str
    game_data: msgspec.Raw
    meta: SaveMeta


def encode_envelope(envelope: SaveEnvelope, *, game_data_json: bytes | None = None) -> bytes:
    """Compact JSON bytes of ``envelope``.

    Args:
        envelope: the save.
        game_data_json: when given, the JSON object written as ``gameData`` verbatim (in place
            of ``envelope.game_data``), so an already encoded world snapshot is not decoded and
            encoded again.

    Raises:
        TypeError: ``gameData`` holds something JSON cannot represent.
    """
    try:
        if game_data_json is None:
            return _encoder.encode(envelope)
        raw = _RawEnvelope(
            envelope.version,
            envelope.timestamp,
            envelope.playtime,
            envelope.slot,
            msgspec.Raw(game_data_json),
            envelope.meta,
        )
        return _encoder.encode(raw)
    except (TypeError, msgspec.EncodeError) as exc:
        raise TypeError(f"save for slot {envelope.slot!r} is not JSON-serialisable: {exc}") from exc


def join_objects(head: bytes, tail: dict[str, Any]) -> bytes | None:
    """The JSON object ``head`` (compact bytes) with ``tail``'s keys appended, or ``None`` when
    ``head`` may already hold one of them (the caller then merges decoded values instead).

    Raises:
        TypeError: ``tail`` holds something JSON cannot represent.
    """
    if not tail:
        return head
    try:
        body = _encoder.encode(tail)
        for key in tail:
            if _encoder.encode(key) + b":" in head:  # maybe a top-level key: stay exact
                return None
    except (TypeError, msgspec.EncodeError) as exc:
        raise TypeError(f"game data is not JSON-serialisable: {exc}") from exc
    if head == b"{}":
        return body
    return head[:-1] + b"," + body[1:]


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
