"""Paths versus URLs, URLs shown without credentials, and storage options."""

from __future__ import annotations

from pathlib import Path

import pytest

from worldstate.errors import InputError
from worldstate.storage import (
    MissingExtraError,
    StorageWriter,
    display_url,
    parse_location,
    parse_storage_options,
    storage_options_from_env,
)


def test_urls_are_shown_without_credentials() -> None:
    """``user:password@`` and query strings never reach what is displayed."""
    assert display_url("s3://AKIA:hunter2@bucket/run?sig=abc") == "s3://bucket/run"
    location = parse_location("s3://key:secret@bucket/run1/")
    assert location.display == "s3://bucket/run1"
    assert location.child("a", "b.json").display == "s3://bucket/run1/a/b.json"
    assert location.bucket == "bucket"
    assert location.parent.display == "s3://bucket"


def test_paths_and_file_urls_are_local_and_absolute(tmp_path: Path) -> None:
    """A relative path becomes absolute; ``file://`` is the same local folder."""
    assert parse_location(f"file://{tmp_path}").local_path == tmp_path
    assert parse_location("rel").local_path == Path("rel").absolute()
    assert not parse_location("memory://x").is_local


def test_storage_options_parse_json_values_and_dotted_keys() -> None:
    """JSON values are typed, dotted keys nest, secret keys stay strings."""
    options = parse_storage_options(
        ["anon=true", "client_kwargs.region_name=eu-west-1", "secret=12345", "endpoint_url=x"]
    )
    assert options == {
        "anon": True,
        "client_kwargs": {"region_name": "eu-west-1"},
        "secret": "12345",
        "endpoint_url": "x",
    }


@pytest.mark.parametrize("item", ["noequals", "=value", "a..b=1"])
def test_malformed_storage_options_are_refused_without_echoing_values(item: str) -> None:
    """A malformed item names the option and shows no value."""
    with pytest.raises(InputError, match="--storage-option") as caught:
        parse_storage_options([item])
    assert item not in str(caught.value)


def test_environment_options() -> None:
    """``FSSPEC_S3_*`` and ``AWS_ENDPOINT_URL`` give S3 options; other protocols ignore AWS."""
    env = {"FSSPEC_S3_ANON": "false", "AWS_ENDPOINT_URL": "http://127.0.0.1:1"}
    assert storage_options_from_env("s3", env) == {
        "anon": False,
        "endpoint_url": "http://127.0.0.1:1",
    }
    assert storage_options_from_env("gs", env) == {}
    assert storage_options_from_env("s3", {"FSSPEC_S3_ENDPOINT_URL": "e", **env}) == {
        "anon": False,
        "endpoint_url": "e",
    }


def test_missing_extra_names_it() -> None:
    """gcsfs is not a test dependency, so ``gs://`` names the extra to install."""
    with pytest.raises(MissingExtraError, match=r"worldstate\[gcs\]") as caught:
        StorageWriter("gs://bucket/run")
    assert caught.value.extra == "gcs"
