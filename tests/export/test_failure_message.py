"""How failed writes read in an error: one clause per writer and reason."""

from __future__ import annotations

from worldstate.export import describe_write_failures
from worldstate.writers import WriteResult


def failed(writer: str, filename: str, error: str) -> WriteResult:
    return WriteResult.failed(writer, filename, OSError(error))


def test_files_failing_for_the_same_reason_are_one_clause() -> None:
    failures = [
        failed("out", name, f"could not write s3://b/run/{name}: no credentials")
        for name in ("a.json", "b.csv", "c.md")
    ]
    assert describe_write_failures(failures) == (
        "writer 'out' could not write 'a.json' and 2 more files: "
        "OSError: could not write s3://b/run/a.json: no credentials"
    )


def test_different_writers_and_reasons_stay_apart() -> None:
    failures = [
        failed("out", "a.json", "disk full"),
        failed("out", "b.csv", "permission denied"),
        failed("mirror-1", "a.json", "disk full"),
    ]
    assert describe_write_failures(failures) == (
        "writer 'out' could not write 'a.json': OSError: disk full; "
        "writer 'out' could not write 'b.csv': OSError: permission denied; "
        "writer 'mirror-1' could not write 'a.json': OSError: disk full"
    )


def test_no_failures_is_an_empty_message() -> None:
    assert describe_write_failures([]) == ""
