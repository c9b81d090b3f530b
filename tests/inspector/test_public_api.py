"""The public surface of ``worldstate.inspector`` is what ``__all__`` says."""

from __future__ import annotations

import worldstate.inspector as inspector
from worldstate.inspector import FactionNames, render_artifacts, sanitize_summary


def test_all_names_exist_and_are_public() -> None:
    assert len(set(inspector.__all__)) == len(inspector.__all__)
    for name in inspector.__all__:
        assert not name.startswith("_")
        assert hasattr(inspector, name), name


def test_plain_dict_payload_can_be_given_names_explicitly() -> None:
    summary = {"factions": {"cascadeTargets": [{"factionId": "a", "cascadeCount": 1}]}}
    plain = dict(sanitize_summary(summary, now=1))
    without = render_artifacts(plain, formats=["csv"])[0].content.splitlines()[1]
    named = render_artifacts(plain, formats=["csv"], faction_names=FactionNames({"a": "A"}))
    assert without.startswith("target,a,a,")
    assert named[0].content.splitlines()[1].startswith("target,a,A,")
