"""Two exports with the same prefix in the same second never silently overwrite each other.

The summary JSON, CSVs and transcripts are named ``<prefix>-<part>-<stamp>.<ext>`` with a
one-second stamp, so two different exports can pick the same names.  The second one's write
fails (naming the file and what to do) and the first export's files stay; the same content
again (a retry) is fine; the unstamped budget-status files are replaced by every export.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from worldstate.artifacts import Artifact
from worldstate.cli import cli
from worldstate.clock import ManualClock
from worldstate.export import Exporter, ExportResult
from worldstate.writers import FileSystemWriter, MemoryWriter, WriterFanout, WriteStatus

NOW = 1761843600000
STAMP = "20251030T170000Z"


def summary(cells: int, *, generated_at: int = NOW) -> dict[str, Any]:
    return {
        "generatedAt": generated_at,
        "engine": {"spatialHash": {"history": [{"cellCount": cells}]}},
    }


def exporter(folder: Path) -> Exporter:
    return Exporter(WriterFanout([FileSystemWriter(folder)]), clock=ManualClock(NOW))


def summary_file(result: ExportResult) -> Artifact:
    return next(a for a in result.prepared.summary_artifacts if a.type == "json")


def test_ten_exports_in_one_second_lose_nothing_silently(tmp_path: Path) -> None:
    """Ten ``submit_summary`` calls in a loop, different summaries, one clock second: the first
    is written, the nine others fail naming the colliding file; none reports a lost success."""
    with exporter(tmp_path) as runner:
        handles = [runner.submit_summary(summary(n), prefix="p") for n in range(10)]
        results = [handle.result(timeout=30) for handle in handles]
    name = f"p-summary-{STAMP}.json"
    on_disk = (tmp_path / name).read_text("utf-8")
    for result in results:
        if result.ok:
            assert on_disk == summary_file(result).content  # an ok export is what is there
        else:
            message = result.failure_message()
            assert name in message and "--prefix" in message, message
    assert [r.ok for r in results] == [True] + [False] * 9
    assert on_disk == summary_file(results[0]).content
    failed = [w for w in results[1].writes.results if w.status is WriteStatus.FAILED]
    assert [w.filename for w in failed] == [name]  # only the file whose content differs
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_the_same_export_again_is_a_harmless_retry(tmp_path: Path) -> None:
    """Writing identical content under the same names succeeds."""
    with exporter(tmp_path) as runner:
        first = runner.export(summary(3), prefix="p")
        again = runner.export(summary(3), prefix="p")
    assert first.ok and again.ok


def test_budget_files_are_replaced_by_every_export(tmp_path: Path) -> None:
    """The unstamped ``<prefix>-budget-status.*`` files always show the latest export."""
    with exporter(tmp_path) as runner:
        assert runner.export(summary(1), prefix="p").ok
        later = runner.export(summary(2, generated_at=NOW + 1000), prefix="p")
    assert later.ok
    budget = next(a for a in later.prepared.budget_artifacts if a.type == "json")
    assert (tmp_path / budget.filename).read_text("utf-8") == budget.content
    assert len(list(tmp_path.glob("p-summary-*.json"))) == 2


def test_a_memory_writer_refuses_the_same_way() -> None:
    """The in-memory writer follows the artifact's rule too."""
    memory = MemoryWriter()
    first = Artifact(
        type="json",
        section=None,
        filename="a.json",
        mime_type="application/json",
        content="1\n",
        replace_different=False,
    )
    assert memory.write(first).ok
    second = memory.write(Artifact(**{**_fields(first), "content": "2\n"}))
    assert second.status is WriteStatus.FAILED and "a.json" in (second.error or "")
    assert memory.read("a.json") == b"1\n"
    assert memory.write(first).ok


def _fields(artifact: Artifact) -> dict[str, Any]:
    return {name: getattr(artifact, name) for name in Artifact.__struct_fields__}


def test_the_cli_run_twice_in_one_second_refuses_the_second(tmp_path: Path) -> None:
    """Two ``worldstate export`` runs with the same prefix and stamp but different inputs:
    the second exits 1 naming the file and the way out; the first one's files are intact."""
    out = tmp_path / "out"
    outputs = []
    for cells in (1, 2):
        source = tmp_path / f"summary-{cells}.json"
        source.write_text(json.dumps(summary(cells)), "utf-8")
        args = ["export", "--summary", str(source), "--out", str(out), "--prefix", "p", "-q"]
        outputs.append(CliRunner().invoke(cli, args, env={"CI": "", "GITHUB_ACTIONS": ""}))
    first, second = outputs
    assert first.exit_code == 0, first.output
    assert second.exit_code == 1, second.output
    name = f"p-summary-{STAMP}.json"
    assert name in second.output and "--prefix" in second.output
    written = json.loads((out / name).read_text("utf-8"))
    assert written["engine"]["spatialHash"]["history"][0]["cellCount"] == 1
