"""Format aliases (REFERENCE §4.1, DEVIATIONS D6) and safe prefixes (DEVIATIONS B1)."""

from __future__ import annotations

import pytest

from worldstate.errors import ConfigurationError, UnsafeNameError
from worldstate.inspector import FORMAT_ALIASES, render_artifacts, resolve_formats, sanitize_summary
from worldstate.inspector._budget import budget_artifacts, build_budget_report
from worldstate.names import MAX_PREFIX_BYTES, check_prefix, check_safe_name

EXPECTED_ALIASES = {
    "json": "json",
    "csv": "csv",
    "cascade": "csv",
    "tutorial-csv": "csv",
    "transcript-csv": "transcript-csv",
    "transcript:csv": "transcript-csv",
    "transcript_csv": "transcript-csv",
    "transcript": "transcript-csv",
    "transcript-md": "transcript-md",
    "transcript_markdown": "transcript-md",
    "transcript:markdown": "transcript-md",
    "transcript-markdown": "transcript-md",
    "markdown": "transcript-md",
    "md": "transcript-md",
}


@pytest.mark.parametrize(("alias", "canonical"), sorted(EXPECTED_ALIASES.items()))
def test_every_alias_resolves(alias: str, canonical: str) -> None:
    assert resolve_formats([alias]) == (canonical,)
    assert resolve_formats([f"  {alias.upper()} "]) == (canonical,)


def test_alias_table_is_complete() -> None:
    assert FORMAT_ALIASES == EXPECTED_ALIASES


def test_duplicates_collapse_and_empty_means_default() -> None:
    assert resolve_formats(["md", "markdown", "json", "JSON"]) == ("transcript-md", "json")
    assert resolve_formats([]) == ("json", "csv")
    assert resolve_formats(["", "  "]) == ("json", "csv")


def test_unknown_format_names_the_value_and_lists_accepted_names() -> None:
    with pytest.raises(ConfigurationError) as caught:
        resolve_formats(["json", "xml"])
    message = str(caught.value)
    assert "'xml'" in message
    for name in EXPECTED_ALIASES:
        assert name in message


def test_comma_joined_string_is_not_split() -> None:
    with pytest.raises(ConfigurationError, match="'json,csv'"):
        resolve_formats(["json,csv"])


@pytest.mark.parametrize(
    "prefix", ["../x", "/abs", "a/b", "..", "a\\b", "x\x00y", "tab\there", "", "  ", "C:evil"]
)
def test_hostile_prefixes_are_refused(prefix: str) -> None:
    with pytest.raises(UnsafeNameError, match="prefix"):
        check_safe_name(prefix, what="prefix")
    with pytest.raises(UnsafeNameError):
        render_artifacts(sanitize_summary(None, now=0), prefix=prefix)


@pytest.mark.parametrize("prefix", ["save-inspector", "ci-12345", "run.7_a", "ünï"])
def test_safe_prefixes_pass_unchanged(prefix: str) -> None:
    assert check_safe_name(prefix, what="prefix") == prefix


def test_unknown_format_in_render_raises_before_anything_is_built() -> None:
    with pytest.raises(ConfigurationError):
        render_artifacts(sanitize_summary(None, now=0), formats=["pdf"])


@pytest.mark.parametrize(
    ("prefix", "problem"),
    [
        (".", "starts with '.'"),
        (".hidden", "starts with '.'"),
        ("a" * 188, "188 bytes long in UTF-8, over the limit of 187 bytes"),
        ("é" * 94, "188 bytes long in UTF-8, over the limit of 187 bytes"),
        ("x\udcffy", "lone surrogate"),
    ],
    ids=["dot", "hidden", "188-ascii", "188-utf8", "surrogate"],
)
def test_prefixes_that_are_hidden_too_long_or_not_utf8(prefix: str, problem: str) -> None:
    """Every API taking a prefix refuses these, and says why (the limit, in bytes)."""
    payload = sanitize_summary(None, now=0)
    for check in (
        lambda: check_prefix(prefix),
        lambda: check_safe_name(prefix, what="prefix"),
        lambda: render_artifacts(payload, prefix=prefix),
        lambda: budget_artifacts(build_budget_report(payload), prefix=prefix),
    ):
        with pytest.raises(UnsafeNameError, match="prefix") as caught:
            check()
        assert problem in str(caught.value)


def test_the_longest_prefix_passes_and_other_names_may_be_long() -> None:
    """187 bytes (multi-byte characters count in bytes) pass; the cap is for prefixes only."""
    assert MAX_PREFIX_BYTES == 187
    for prefix in ("a" * 187, "é" * 93 + "a"):
        assert check_prefix(prefix) == prefix
    assert check_safe_name("a" * 200, what="artifact filename") == "a" * 200
    assert check_safe_name(".env", what="artifact filename") == ".env"
