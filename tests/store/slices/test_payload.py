"""The small pieces every slice shares (``slices._payload``)."""

from __future__ import annotations

from collections import OrderedDict
from types import MappingProxyType
from typing import Any

import pytest

from worldstate.store import Action, Transients
from worldstate.store.slices._payload import (
    append_bounded,
    as_mapping,
    copy_json,
    prepend_bounded,
    reduce_by_type,
    simple_action,
    with_logged_record,
)


def test_copy_json_copies_every_container() -> None:
    """Dicts, lists, tuples and other mappings become fresh dicts and lists; scalars stay."""
    inner = [1, {"a": (2, 3)}]
    source = {"list": inner, "map": MappingProxyType({"k": OrderedDict(x=[4])}), "s": "t"}
    copied = copy_json(source)
    assert copied == {"list": [1, {"a": [2, 3]}], "map": {"k": {"x": [4]}}, "s": "t"}
    assert copied["list"] is not inner and copied["list"][1] is not inner[1]
    inner[1]["a"] = "changed"  # type: ignore[index]
    assert copied["list"][1]["a"] == [2, 3]
    assert type(copied["map"]) is dict and type(copied["map"]["k"]) is dict


def test_as_mapping_gives_an_empty_mapping_for_non_objects() -> None:
    """JS optional chaining on a non-object reads nothing."""
    data = {"a": 1}
    assert as_mapping(data) is data
    assert dict(as_mapping([1])) == {} and dict(as_mapping(None)) == {}


@pytest.mark.parametrize(
    ("items", "limit", "expected"),
    [
        ([1, 2], 5, [1, 2, 9]),
        ([1, 2, 3], 3, [2, 3, 9]),
        ([1, 2, 3], 1, [9]),
        ([1, 2, 3], 0, []),
        ([1, 2, 3], -2, []),
        ([1, 2, 3], 2.0, [3, 9]),
        ("not a list", 3, [9]),
    ],
)
def test_append_bounded_keeps_the_newest(items: Any, limit: Any, expected: list[Any]) -> None:
    """A new list; a limit of 0 or less keeps nothing; float limits from snapshots work."""
    before = list(items) if isinstance(items, list) else items
    assert append_bounded(items, 9, limit) == expected
    assert items == before


def test_prepend_bounded_keeps_the_first() -> None:
    """Newest first, at most ``limit``."""
    assert prepend_bounded([1, 2, 3], 0, 3) == [0, 1, 2]
    assert prepend_bounded(None, 0, 3) == [0]


def test_simple_action_copies_named_keys_and_stamps_time() -> None:
    """Missing keys become None, extra keys are dropped, the timestamp is the builder's now."""
    build = simple_action("X_DONE", "x", ("a", "b"))
    action = build({"a": 1, "c": 3}, 42)
    assert action == Action("X_DONE", "x", {"a": 1, "b": None}, 42)


def test_reduce_by_type_routes_by_type_and_domain() -> None:
    """Only the domain's and ``world`` actions run; with ``stamp`` a change sets lastActionAt;
    no change (or ``None``) returns the state itself; a missing timestamp counts as 0.
    """
    reducers = {
        "SET": lambda state, p, now: {**state, "v": p["v"]},
        "KEEP": lambda state, p, now: state,
        "NOTHING": lambda state, p, now: None,
    }
    state = {"v": 0, "lastActionAt": None}
    changed = reduce_by_type(reducers, "d", state, Action("SET", "d", {"v": 1}, 7), stamp=True)
    assert changed == {"v": 1, "lastActionAt": 7} and state["v"] == 0
    assert reduce_by_type(reducers, "d", state, Action("SET", "d", {"v": 2}, 7)) == {
        "v": 2,
        "lastActionAt": None,
    }
    world = reduce_by_type(reducers, "d", state, Action("SET", "world", {"v": 3}), stamp=True)
    assert world == {"v": 3, "lastActionAt": 0}
    for action in (
        Action("KEEP", "d", {}, 7),
        Action("NOTHING", "d", {}, 7),
        Action("SET", "other", {"v": 1}, 7),
        Action("NOPE", "d", {}, 7),
    ):
        assert reduce_by_type(reducers, "d", state, action, stamp=True) is state


def test_with_logged_record_replaces_and_logs() -> None:
    """The record replaced, the entry appended (bounded), the time stamped; input untouched."""
    state = {"byId": {"a": 1}, "changeLog": [{"n": 1}, {"n": 2}], "lastUpdatedAt": None}
    after = with_logged_record(state, "b", 2, {"n": 3}, 9, 2, Transients())
    assert after == {
        "byId": {"a": 1, "b": 2},
        "changeLog": [{"n": 2}, {"n": 3}],
        "lastUpdatedAt": 9,
    }
    assert state["byId"] == {"a": 1} and len(state["changeLog"]) == 2


def test_with_logged_record_writes_in_place_until_published() -> None:
    """The byId map this store created is reused until the state is published, then copied."""
    transients = Transients()
    state = {"byId": {"a": 1}, "changeLog": [], "lastUpdatedAt": None}
    first = with_logged_record(state, "b", 2, {}, 1, 5, transients)
    second = with_logged_record(first, "c", 3, {}, 2, 5, transients)
    assert second["byId"] is first["byId"] and state["byId"] == {"a": 1}
    transients.publish()
    third = with_logged_record(second, "d", 4, {}, 3, 5, transients)
    assert third["byId"] is not second["byId"]
    assert second["byId"] == {"a": 1, "b": 2, "c": 3}
