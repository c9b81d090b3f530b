"""Property-based fuzzing (hypothesis) of the edges every input crosses: the strict JSON loader,
the summary schema with the renderers behind it, the redactor and the file-name checks.

The properties are the CLI's promises one level down: only the documented exceptions (which the
CLI turns into exit 2), and a value that passes validation always renders.
"""

from __future__ import annotations

import json
import random
import string
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.fuzz._harness import CASES, golden_summaries, mutate_document

from worldstate.errors import InputError, UnsafeNameError
from worldstate.export import Exporter
from worldstate.inspector._sanitize import STANDARD_KEYS, sanitize_summary
from worldstate.inspector._summary_schema import check_summary
from worldstate.jsonfile import decode_utf8, loads_strict
from worldstate.names import check_prefix, check_safe_name
from worldstate.redact import REDACTED, Redactor
from worldstate.writers import WriterFanout

FUZZ = settings(
    deadline=None,
    derandomize=True,  # the same cases in CI every time; failures reproduce
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

JSON_TEXT_ALPHABET = string.printable + '[]{}",:éü💥\u2028\\'
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**25), max_value=10**25)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=25,
)
SUMMARY_KEYS = st.sampled_from(sorted(STANDARD_KEYS))
SUMMARIES = golden_summaries()


def count(target: str) -> None:
    CASES[target] = CASES.get(target, 0) + 1


@settings(FUZZ, max_examples=700)
@given(st.text(alphabet=JSON_TEXT_ALPHABET, max_size=200) | st.binary(max_size=200))
def test_the_loader_only_raises_input_errors(raw: str | bytes) -> None:
    """Any text or bytes: a value, or an InputError that names where."""
    count("loader")
    try:
        text = decode_utf8(raw, source="f.json", what="doc") if isinstance(raw, bytes) else raw
        loads_strict(text, source="f.json", what="doc")
    except InputError as exc:
        assert str(exc).startswith("f.json")


@settings(FUZZ, max_examples=800)
@given(
    st.dictionaries(SUMMARY_KEYS, JSON_VALUES, max_size=6)
    | st.builds(
        lambda seed: mutate_document(SUMMARIES[seed % len(SUMMARIES)], _rng(seed)),
        st.integers(min_value=0, max_value=10**9),
    )
)
def test_a_summary_that_passes_the_schema_always_renders(summary: Any) -> None:
    """check_summary refuses, or every renderer accepts what it let through."""
    count("summary-schema")
    text = json.dumps(summary)
    try:
        checked = check_summary(loads_strict(text, source="s", what="summary"), source="s")
    except InputError:
        return
    exporter = Exporter(WriterFanout([]))
    formats = ("json", "csv", "transcript-csv", "transcript-md")
    try:
        exporter.prepare(checked, formats=formats, now=1767258074700)
    except InputError:
        return  # located refusals of generatedAt are fine: the CLI makes them exit 2


def _rng(seed: int) -> random.Random:
    return random.Random(seed)


SECRET_VALUES = st.text(
    alphabet=string.ascii_letters + string.digits + "-_+/=", min_size=8, max_size=30
)


@settings(FUZZ, max_examples=700)
@given(SECRET_VALUES, JSON_VALUES, st.text(max_size=80))
def test_an_environment_secret_never_survives(secret: str, document: Any, text: str) -> None:
    """Wherever the secret is put, it is gone after redaction and after scrubbing."""
    count("redact")
    redactor = Redactor({"MY_TOKEN": secret})
    if redactor.secret_count == 0:
        return  # an ordinary word or number: not a secret by the rules
    planted = {"note": f"{text}{secret}{text}", "doc": document, f"k{secret}": 1}
    assert secret not in json.dumps(redactor(planted), ensure_ascii=False)
    assert secret not in redactor.scrub(f"{text}{secret}{text}")
    assert REDACTED in redactor.scrub(secret)


@settings(FUZZ, max_examples=600)
@given(st.text(max_size=300))
def test_name_checks_only_raise_unsafe_name_errors(name: str) -> None:
    """A name is accepted as it is, or refused with UnsafeNameError; accepted ones are bare."""
    count("names")
    for check in (check_safe_name, check_prefix):
        try:
            kept = check(name, what="prefix")
        except UnsafeNameError:
            continue
        assert kept == name and Path(name).name == name and len(name.encode()) <= 255


@settings(FUZZ, max_examples=500)
@given(
    st.dictionaries(SUMMARY_KEYS, JSON_VALUES, max_size=6)
    | st.builds(
        lambda seed: mutate_document(SUMMARIES[seed % len(SUMMARIES)], _rng(seed)),
        st.integers(min_value=0, max_value=10**9),
    )
    | st.sampled_from([s for s in SUMMARIES if s])
)
def test_sanitising_is_idempotent(summary: Any) -> None:
    """``sanitize_summary(sanitize_summary(x).body).body == sanitize_summary(x).body`` for
    every summary the schema lets through, as it would be read from a file."""
    count("sanitise-twice")
    try:
        text = json.dumps(summary)
        checked = check_summary(loads_strict(text, source="s", what="summary"), source="s")
        once = json.dumps(sanitize_summary(checked, now=1767258074700).body)
    except InputError:
        return
    twice = sanitize_summary(json.loads(once), now=1)  # `now` is unused: generatedAt is set
    assert json.dumps(twice.body) == once


DISTRICT = {
    "id": "docks",
    "name": "Docks",
    "stability": {"rating": "stable", "value": 40},
    "restrictions": [{"id": "curfew", "active": True, "lastChangedAt": 5}],
}


@settings(FUZZ, max_examples=200)
@given(
    st.fixed_dictionaries(
        {"stability": st.fixed_dictionaries({"rating": SCALARS, "value": SCALARS}) | SCALARS},
        optional={"name": SCALARS, "tier": SCALARS, "lockdownsTriggered": SCALARS},
    ),
    st.none() | st.just({}) | st.fixed_dictionaries({"history": st.lists(JSON_VALUES, max_size=3)}),
)
def test_districts_and_spatial_blocks_sanitise_idempotently(
    district: dict[str, Any], spatial: Any
) -> None:
    """A district's stability rating and value survive a second pass (they were lost), and
    the spatial block's nulls stay null (``Number(null)`` would make them 0)."""
    count("sanitise-twice")
    summary = {
        "generatedAt": 1761843600000,
        "districts": {"restrictedDistricts": [{**DISTRICT, **district}]},
        "engine": {"spatialHash": spatial},
    }
    once = sanitize_summary(summary, now=1).body
    twice = sanitize_summary(json.loads(json.dumps(once)), now=1).body
    assert json.dumps(twice) == json.dumps(once)
