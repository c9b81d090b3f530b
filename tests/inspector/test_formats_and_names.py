"""Format aliases (REFERENCE §4.1, DEVIATIONS D6) and safe prefixes (DEVIATIONS B1)."""

from __future__ import annotations

import pytest

from worldstate.errors import ConfigurationError, UnsafeNameError
from worldstate.inspector import FORMAT_ALIASES, render_artifacts, resolve_formats, sanitize_summary
from worldstate.names import check_safe_name

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
