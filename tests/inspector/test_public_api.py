"""The public surface of ``worldstate.inspector`` is what ``__all__`` says."""

from __future__ import annotations

import dataclasses
import json

import pytest

import worldstate.inspector as inspector
from worldstate.errors import SnapshotError
from worldstate.inspector import FactionNames, InspectorPayload, render_artifacts, sanitize_summary


def test_all_names_exist_and_are_public() -> None:
    assert len(set(inspector.__all__)) == len(inspector.__all__)
    for name in inspector.__all__:
        assert not name.startswith("_")
        assert hasattr(inspector, name), name


def test_payload_is_a_record_carrying_its_names() -> None:
    """The JSON body and the names travel together; a rebuilt payload renders the same."""
    summary = {
        "factions": {
            "cascadeTargets": [{"factionId": "a", "cascadeCount": 1}],
            "factionNames": {"a": "Seen A"},
        }
    }
    payload = sanitize_summary(summary, now=1, faction_names={"b": "B"})
    assert isinstance(payload, InspectorPayload)
    assert payload.faction_names == FactionNames({"b": "B"}, {"a": "Seen A"})
    assert json.loads(payload.to_json()) == payload.body
    assert "factionNames" not in payload.body["factions"]
    cascade = render_artifacts(payload, formats=["csv"])[0].content.splitlines()[1]
    assert cascade.startswith("target,a,Seen A,")
    rebuilt = InspectorPayload(json.loads(payload.to_json()), FactionNames({"a": "Catalog A"}))
    renamed = render_artifacts(rebuilt, formats=["csv"])[0].content.splitlines()[1]
    assert renamed.startswith("target,a,Catalog A,")
    bare = render_artifacts(InspectorPayload(payload.body), formats=["csv"])[0]
    assert bare.content.splitlines()[1].startswith("target,a,a,")


def test_payload_is_frozen() -> None:
    payload = sanitize_summary(None, now=1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        payload.body = {}  # type: ignore[misc]


def test_payload_without_generated_at_is_refused() -> None:
    with pytest.raises(SnapshotError, match=r"\$\.generatedAt"):
        InspectorPayload({"source": "x"})
