"""Retries and failures against scripted faults of the in-process service (waits recorded)."""

from __future__ import annotations

from pathlib import Path

import pytest

from worldstate.publish.github import (
    MAX_ATTEMPTS,
    ArtifactError,
    QuotaError,
    ServiceError,
    UploadStalledError,
    backoff_bounds,
)
from worldstate.publish.github.testing import Fault, ResultsServer

from .conftest import ClientFactory, Sleeps, write_tree

PLAIN_502 = Fault(status=502, body=b"<html><body>502 Bad Gateway</body></html>")


@pytest.fixture(name="root")
def _root(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "files", {"report.json": b'{"ok": true}\n', "a/b.txt": b"b\n"})


def assert_within_backoff(sleeps: list[float]) -> None:
    for retry_number, waited in enumerate(sleeps, start=1):
        low, high = backoff_bounds(retry_number)
        assert low <= waited <= high, (retry_number, waited)


class TestRetried:
    def test_503_twice_then_success(
        self, root: Path, server: ResultsServer, make_client: ClientFactory, sleeps: Sleeps
    ) -> None:
        """Two 503s on Create: three attempts, waits of 3 s then 4.5-6.75 s, artifact uploaded."""
        server.fail("CreateArtifact", Fault.twirp(503, "unavailable", "busy"), Fault(status=503))
        uploaded = make_client().upload("n", [root], root=root)
        assert len(server.calls_to("CreateArtifact")) == 3
        assert sleeps[0] == 3.0
        assert 4.5 <= sleeps[1] < 6.75
        assert server.artifacts[("1", "n")].finalized
        assert uploaded.size == server.artifacts[("1", "n")].size

    def test_429_waits_as_long_as_retry_after_says(
        self, root: Path, server: ResultsServer, make_client: ClientFactory, sleeps: Sleeps
    ) -> None:
        """Retry-After: 17 is honoured instead of the backoff."""
        server.fail(
            "CreateArtifact",
            Fault.twirp(429, "resource_exhausted", "slow down", **{"Retry-After": "17"}),
        )
        make_client().upload("n", [root], root=root)
        assert sleeps == [17.0]

    def test_non_json_502_is_classified_by_its_status_and_retried(
        self, root: Path, server: ResultsServer, make_client: ClientFactory, sleeps: Sleeps
    ) -> None:
        """An HTML 502 from a proxy is a gateway error: retried."""
        server.fail("FinalizeArtifact", PLAIN_502)
        make_client().upload("n", [root], root=root)
        assert sleeps == [3.0]
        assert server.artifacts[("1", "n")].finalized

    def test_success_status_with_a_body_that_is_not_json_is_retried(
        self, root: Path, server: ResultsServer, make_client: ClientFactory, sleeps: Sleeps
    ) -> None:
        """HTTP 200 whose body does not parse counts as a failed attempt."""
        server.fail("CreateArtifact", Fault(status=200, body=b"<html>captive portal</html>"))
        make_client().upload("n", [root], root=root)
        assert len(server.calls_to("CreateArtifact")) == 2
        assert sleeps == [3.0]

    def test_dropped_connections_are_retried(
        self, root: Path, server: ResultsServer, make_client: ClientFactory, sleeps: Sleeps
    ) -> None:
        """The connection closes twice without an answer; the third attempt succeeds."""
        server.fail("CreateArtifact", Fault(drop=True), Fault(drop=True))
        make_client().upload("n", [root], root=root)
        assert len(server.calls_to("CreateArtifact")) == 3
        assert len(sleeps) == 2
        assert_within_backoff(sleeps)

    def test_gives_up_after_five_attempts_with_a_message_naming_the_call(
        self, root: Path, server: ResultsServer, make_client: ClientFactory, sleeps: Sleeps
    ) -> None:
        """Five 503s: four waits in the backoff ranges, then ServiceError; nothing uploaded."""
        server.fail("CreateArtifact", *[Fault(status=503)] * MAX_ATTEMPTS)
        with pytest.raises(ServiceError, match=r"CreateArtifact failed after 5 attempts.*503"):
            make_client().upload("n", [root], root=root)
        assert len(server.calls_to("CreateArtifact")) == MAX_ATTEMPTS
        assert len(sleeps) == MAX_ATTEMPTS - 1
        assert_within_backoff(sleeps)
        assert server.calls_to("blob") == []

    def test_lost_finalize_answer_is_checked_by_listing_before_sending_again(
        self, root: Path, server: ResultsServer, make_client: ClientFactory, sleeps: Sleeps
    ) -> None:
        """Finalize took effect but its answer was lost: the client lists, finds it, stops."""
        server.fail("FinalizeArtifact", Fault(drop_after_handling=True))
        uploaded = make_client().upload("n", [root], root=root)
        assert len(server.calls_to("FinalizeArtifact")) == 1
        assert len(server.calls_to("ListArtifacts")) == 1
        assert uploaded.id == str(server.artifacts[("1", "n")].id)


class TestNotRetried:
    def test_quota_is_never_retried(
        self, root: Path, server: ResultsServer, make_client: ClientFactory, sleeps: Sleeps
    ) -> None:
        """'insufficient usage' fails at once, even on a status that is otherwise retried."""
        server.fail(
            "CreateArtifact",
            Fault.twirp(
                429,
                "resource_exhausted",
                "Artifact storage quota has been hit: insufficient usage to create artifact",
            ),
        )
        with pytest.raises(QuotaError, match="quota is used up"):
            make_client().upload("n", [root], root=root)
        assert len(server.calls_to("CreateArtifact")) == 1
        assert sleeps == []

    @pytest.mark.parametrize("body", [b"", b"not json", b'{"code":"invalid_argument","msg":"x"}'])
    def test_other_4xx_fail_at_once_whatever_the_body(
        self,
        root: Path,
        server: ResultsServer,
        make_client: ClientFactory,
        sleeps: Sleeps,
        body: bytes,
    ) -> None:
        """A 400 (empty, non-JSON or Twirp body) is not retried; the status is kept."""
        server.fail("CreateArtifact", Fault(status=400, body=body))
        with pytest.raises(ServiceError) as caught:
            make_client().upload("n", [root], root=root)
        assert caught.value.status == 400
        assert not caught.value.retryable
        assert len(server.calls_to("CreateArtifact")) == 1
        assert sleeps == []

    def test_a_failed_block_is_not_sent_again_outside_azure(
        self, root: Path, server: ResultsServer, make_client: ClientFactory, sleeps: Sleeps
    ) -> None:
        """act appends blocks in arrival order, so a block is never resent; nothing is finalized."""
        server.fail("blob", Fault(status=503))
        with pytest.raises(ArtifactError, match=r"storage refused block 1: HTTP 503"):
            make_client().upload("n", [root], root=root)
        assert len(server.calls_to("blob")) == 1
        assert server.calls_to("FinalizeArtifact") == []

    def test_a_stalled_upload_fails_within_the_stall_timeout(
        self, root: Path, server: ResultsServer, make_client: ClientFactory
    ) -> None:
        """Storage that takes a block and never answers: UploadStalledError, no Finalize."""
        server.fail("blob", Fault(stall_s=30))
        client = make_client(ACTIONS_ARTIFACT_UPLOAD_TIMEOUT_MS="300")
        with pytest.raises(UploadStalledError, match=r"stalled.*0.3 s"):
            client.upload("n", [root], root=root)
        assert server.calls_to("FinalizeArtifact") == []
