"""The JavaScript payload rules every slice reads by (``slices._payload``)."""

from __future__ import annotations

import math
from collections import OrderedDict
from types import MappingProxyType
from typing import Any

import pytest

from worldstate.store import Action, Transients
from worldstate.store.slices._payload import (
    append_bounded,
    as_mapping,
    coalesce,
    copy_json,
    first_present,
    is_finite_number,
    is_number,
    prepend_bounded,
    reduce_stamped,
    simple_action,
    truthy,
    with_logged_record,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, False),
        (False, False),
        (0, False),
        (0.0, False),
        (math.nan, False),
        ("", False),
        (True, True),
        (1, True),
        (-0.5, True),
        ("0", True),
        ([], True),
        ({}, True),
        (math.inf, True),
    ],
)
def test_truthy_follows_javascript(value: Any, expected: bool) -> None:
    """Empty containers are true, NaN and 0 are false."""
    assert truthy(value) is expected


def test_coalesce_and_first_present_skip_only_none() -> None:
    """``??`` keeps 0, '' and False."""
    assert coalesce(None, 5) == 5
    assert coalesce(0, 5) == 0
    assert coalesce(False, 5) is False
    assert first_present(None, "", "x") == ""
    assert first_present(None, None, 3) == 3
    assert first_present(None, None) is None


def test_numbers_exclude_booleans() -> None:
    """typeof 'number': bool is not one; Number.isFinite refuses NaN and infinities."""
    assert is_number(3) and is_number(2.5) and not is_number(True) and not is_number("3")
    assert is_finite_number(1) and not is_finite_number(math.inf)
    assert not is_finite_number(math.nan)


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


def test_reduce_stamped_routes_by_type_and_domain() -> None:
    """Only the domain's actions run; a change sets lastActionAt, no change returns state."""
    reducers = {
        "SET": lambda state, p, now: {**state, "v": p["v"]},
        "KEEP": lambda state, p, now: state,
    }
    state = {"v": 0, "lastActionAt": None}
    changed = reduce_stamped(reducers, "d", state, Action("SET", "d", {"v": 1}, 7))
    assert changed == {"v": 1, "lastActionAt": 7} and state["v"] == 0
    assert reduce_stamped(reducers, "d", state, Action("KEEP", "d", {}, 7)) is state
    assert reduce_stamped(reducers, "d", state, Action("SET", "other", {"v": 1}, 7)) is state
    assert reduce_stamped(reducers, "d", state, Action("NOPE", "d", {}, 7)) is state


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
