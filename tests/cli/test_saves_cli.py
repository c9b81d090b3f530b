"""``worldstate saves ...`` and ``worldstate export --save``: real databases, CliRunner."""

from __future__ import annotations

import json
import shlex
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from tests._paths import DOCS, GOLDENS, REPO_ROOT

from worldstate.cli import cli

RANDOM_1 = GOLDENS / "replay" / "random_1"
STORY_DEMO = GOLDENS / "replay" / "story_demo"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture(name="db")
def _db(tmp_path: Path) -> Path:
    """A database holding two saves: story (from the demo log) and Random One."""
    db = tmp_path / "saves.db"
    for slot, log in (("Story Demo", STORY_DEMO), ("Random One", RANDOM_1)):
        result = run(
            "saves",
            "import",
            "--db",
            str(db),
            "--slot",
            slot,
            "--events",
            str(log / "events.jsonl"),
        )
        assert result.exit_code == 0, result.output
    return db


class TestImportListShowDelete:
    def test_import_from_events_matches_the_reference_snapshot(self, db: Path) -> None:
        """The imported save's world snapshot equals the reference store's after the replay."""
        result = run("saves", "show", "--db", str(db), "--slot", "random-one", "--json")
        assert result.exit_code == 0, result.output
        shown = json.loads(result.output)
        reference = json.loads((RANDOM_1 / "reference_snapshot.json").read_text())
        game = shown["save"]["gameData"]
        assert {k: game[k] for k in reference} == reference
        meta = json.loads((RANDOM_1 / "meta.json").read_text())
        assert shown["timestamp"] == meta["generatedAt"]  # the last event's ts
        assert (shown["status"], shown["label"], shown["slotType"]) == (
            "ok",
            "Random One",
            "manual",
        )

    def test_list_json_and_table(self, db: Path) -> None:
        """list prints every save newest first, as JSON or as a table."""
        listed = json.loads(run("saves", "list", "--db", str(db), "--json").output)
        assert [e["slot"] for e in listed] == ["random-one", "story-demo"]
        assert {e["status"] for e in listed} == {"ok"}
        table = run("saves", "list", "--db", str(db))
        assert (
            table.exit_code == 0 and "random-one" in table.output and "story-demo" in table.output
        )

    def test_import_from_snapshot(self, tmp_path: Path) -> None:
        """A valid snapshot file becomes a save whose world snapshot is that file."""
        db = tmp_path / "snap.db"
        snapshot = RANDOM_1 / "reference_snapshot.json"
        result = run(
            "saves",
            "import",
            "--db",
            str(db),
            "--slot",
            "snap",
            "--snapshot",
            str(snapshot),
            "--timestamp",
            "1234",
        )
        assert result.exit_code == 0, result.output
        shown = json.loads(run("saves", "show", "--db", str(db), "--slot", "snap", "--json").output)
        assert shown["timestamp"] == 1234
        game = shown["save"]["gameData"]
        assert {k: game[k] for k in json.loads(snapshot.read_text())} == json.loads(
            snapshot.read_text()
        )

    def test_delete(self, db: Path) -> None:
        """delete removes one slot and leaves the others."""
        result = run("saves", "delete", "--db", str(db), "--slot", "Story Demo")
        assert result.exit_code == 0 and "story-demo" in result.output
        listed = json.loads(run("saves", "list", "--db", str(db), "--json").output)
        assert [e["slot"] for e in listed] == ["random-one"]

    def test_changed_payload_is_found_by_show_and_verify_not_list(self, db: Path) -> None:
        """Changed bytes of the right size: list (index only) says ok and unverified, show
        and verify find the checksum mismatch; verify exits 1."""
        with sqlite3.connect(db) as conn:
            conn.execute(
                "UPDATE save_payload SET payload = CAST(replace(CAST(payload AS TEXT),"
                " 'storyFlags', 'storyFlagz') AS BLOB) WHERE slot = 'story-demo'"
            )
        listed = {
            e["slot"]: e for e in json.loads(run("saves", "list", "--db", str(db), "--json").output)
        }
        assert listed["story-demo"]["status"] == "ok" and listed["story-demo"]["verified"] is False
        shown = json.loads(
            run("saves", "show", "--db", str(db), "--slot", "story-demo", "--json").output
        )
        assert shown["save"] is None and "checksum" in shown["problem"]
        assert shown["status"] == "corrupt" and shown["verified"] is True
        verified = CliRunner().invoke(cli, ["saves", "verify", "--db", str(db), "--json"])
        assert verified.exit_code == 1
        report = json.loads(verified.stdout)
        assert report["ok"] is False and report["integrity"] == ["ok"]
        slots = {e["slot"]: e for e in report["slots"]}
        assert "checksum mismatch" in slots["story-demo"]["problem"]
        assert slots["random-one"]["status"] == "ok"
        assert "1 of 2 saves are corrupt (story-demo)" in verified.stderr

    def test_resized_payload_is_corrupt_in_the_listing(self, db: Path) -> None:
        """A payload of another size than was written shows in the index-only listing."""
        with sqlite3.connect(db) as conn:
            conn.execute("UPDATE save_payload SET payload = CAST('{}' AS BLOB)")
        listed = json.loads(run("saves", "list", "--db", str(db), "--json").output)
        assert {e["status"] for e in listed} == {"corrupt"}
        assert all(e["problem"].startswith("truncated or resized") for e in listed)

    def test_corrupt_status_stays_visible_at_80_columns(self, tmp_path: Path) -> None:
        """With a long label the human table still says 'corrupt' on an 80-column terminal."""
        db = tmp_path / "saves.db"
        label = "A very long label for a QA run " * 3
        log = str(STORY_DEMO / "events.jsonl")
        imported = run("saves", "import", "--db", str(db), "--slot", label, "--events", log)
        assert imported.exit_code == 0, imported.output
        with sqlite3.connect(db) as conn:
            conn.execute("UPDATE save_payload SET payload = CAST('{}' AS BLOB)")
        table = CliRunner().invoke(cli, ["saves", "list", "--db", str(db)], terminal_width=80)
        assert table.exit_code == 0, table.output
        assert "corrupt" in table.output
        assert max(len(line) for line in table.output.splitlines()) <= 80


class TestBadInput:
    @pytest.mark.parametrize("command", ["list", "show", "delete"])
    def test_missing_database_is_not_created(self, tmp_path: Path, command: str) -> None:
        """list/show/delete on a missing database exit 2 and create nothing."""
        db = tmp_path / "nope.db"
        extra = [] if command == "list" else ["--slot", "x"]
        result = run("saves", command, "--db", str(db), *extra)
        assert result.exit_code == 2
        assert "does not exist" in result.output and str(db) in result.output
        assert list(tmp_path.iterdir()) == []

    @pytest.mark.parametrize("command", ["show", "delete"])
    @pytest.mark.parametrize(
        ("slot", "message"),
        [
            ("unknown", "no save in slot 'unknown'"),
            ("../x", "looks like a path"),
            ("", "invalid slot name ''"),
            ("***", "invalid slot name '***'"),
        ],
    )
    def test_bad_slots_change_nothing(
        self, db: Path, command: str, slot: str, message: str
    ) -> None:
        """Unknown and hostile slot names exit 2 with a clear message; the file is unchanged."""
        before = db.read_bytes()
        result = run("saves", command, "--db", str(db), "--slot", slot)
        assert result.exit_code == 2, result.output
        assert message in result.output
        assert db.read_bytes() == before

    @pytest.mark.parametrize("slot", ["../x", "", "***", "a/b"])
    def test_import_with_hostile_slot_creates_nothing(self, tmp_path: Path, slot: str) -> None:
        """import refuses a bad slot name before creating the database."""
        db = tmp_path / "new.db"
        result = run(
            "saves",
            "import",
            "--db",
            str(db),
            "--slot",
            slot,
            "--events",
            str(RANDOM_1 / "events.jsonl"),
        )
        assert result.exit_code == 2, result.output
        assert not db.exists()

    def test_invalid_snapshot_creates_nothing(self, tmp_path: Path) -> None:
        """A snapshot failing validation exits 2 naming the JSON path; no database appears."""
        bad = tmp_path / "bad.json"
        bad.write_text(json.dumps({"factions": {"byId": {"harbor": {"fame": "lots"}}}}))
        db = tmp_path / "new.db"
        result = run("saves", "import", "--db", str(db), "--slot", "s", "--snapshot", str(bad))
        assert result.exit_code == 2, result.output
        assert "$.factions.byId.harbor.fame" in result.output and str(bad) in result.output
        assert not db.exists()

    def test_invalid_snapshot_leaves_existing_database_unchanged(
        self, db: Path, tmp_path: Path
    ) -> None:
        """A failed import into an existing database leaves its bytes identical."""
        bad = tmp_path / "bad.json"
        bad.write_text("[1, 2, 3]")
        before = db.read_bytes()
        result = run("saves", "import", "--db", str(db), "--slot", "s", "--snapshot", str(bad))
        assert result.exit_code == 2
        assert db.read_bytes() == before

    def test_bad_event_log_creates_nothing(self, tmp_path: Path) -> None:
        """A malformed event log exits 2 naming the line; no database appears."""
        log = tmp_path / "events.jsonl"
        log.write_text('{"ts": 1, "event": "quest:started", "payload": {}}\nnot json\n')
        db = tmp_path / "new.db"
        result = run("saves", "import", "--db", str(db), "--slot", "s", "--events", str(log))
        assert result.exit_code == 2
        assert "line 2" in result.output
        assert not db.exists()

    def test_exactly_one_source(self, tmp_path: Path) -> None:
        """import needs exactly one of --events and --snapshot."""
        result = run("saves", "import", "--db", str(tmp_path / "x.db"), "--slot", "s")
        assert result.exit_code == 2 and "exactly one" in result.output


class TestExportFromSave:
    def test_export_gives_the_golden_csvs(self, db: Path, tmp_path: Path) -> None:
        """A save imported from random_1 exports the golden CSVs byte for byte."""
        meta = json.loads((RANDOM_1 / "meta.json").read_text())
        out = tmp_path / "out"
        result = run(
            "export",
            "--save",
            str(db),
            "--slot",
            "Random One",
            "--formats",
            "csv",
            "--prefix",
            meta["prefix"],
            "--generated-at",
            str(meta["generatedAt"]),
            "--out",
            str(out),
            "--no-publish",
        )
        assert result.exit_code == 0, result.output
        expected = sorted(
            p
            for p in (RANDOM_1 / "expected").iterdir()
            if p.suffix == ".csv" and "transcript" not in p.name
        )
        assert expected
        for golden in expected:
            assert (out / golden.name).read_bytes() == golden.read_bytes(), golden.name

    def test_export_of_a_corrupt_save_fails_naming_slot_and_reason(
        self, db: Path, tmp_path: Path
    ) -> None:
        """Exporting a corrupt save exits 1 naming slot, reason and database, writing nothing."""
        with sqlite3.connect(db) as conn:
            conn.execute(
                "UPDATE save_payload SET payload = substr(payload, 1, 50) WHERE slot = 'random-one'"
            )
        out = tmp_path / "out"
        result = run(
            "export", "--save", str(db), "--slot", "random-one", "--out", str(out), "--no-publish"
        )
        assert result.exit_code == 1, result.output
        assert "random-one" in result.output and "truncated" in result.output
        assert str(db) in result.output
        assert not out.exists() or list(out.iterdir()) == []

    def test_export_from_missing_database(self, tmp_path: Path) -> None:
        """A missing save database is bad input and is not created."""
        db = tmp_path / "none.db"
        result = run(
            "export", "--save", str(db), "--slot", "x", "--out", str(tmp_path / "o"), "--no-publish"
        )
        assert result.exit_code == 2
        assert not db.exists()


class TestDocumentedExample:
    def test_cli_md_saves_example_is_what_the_commands_print(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The `saves list` example block of docs/cli.md, run line by line in an empty folder,
        prints exactly what the block shows (columns, byte counts, messages)."""
        text = (DOCS / "cli.md").read_text()
        section = text.split("### `saves list`", 1)[1]
        block = section.split("```\n", 2)[1]
        (tmp_path / "tests").symlink_to(REPO_ROOT / "tests")
        monkeypatch.chdir(tmp_path)
        printed = []
        for line in block.splitlines():
            if line.startswith("$ worldstate "):
                result = CliRunner().invoke(cli, shlex.split(line)[2:], terminal_width=80)
                assert result.exit_code == 0, (line, result.output)
                printed.append(f"{line}\n{result.output}")
        assert len(printed) == 5
        assert "".join(printed) == block


class TestImportNeverEvictsUnasked:
    """A database at its manual-slot limit: import refuses (nothing lost) unless asked to evict."""

    @staticmethod
    def _import(db: Path, slot: str, *extra: str) -> Result:
        log = str(RANDOM_1 / "events.jsonl")
        return run("saves", "import", "--db", str(db), "--slot", slot, "--events", log, *extra)

    def test_full_database_refuses_then_evicts_with_the_flag(self, tmp_path: Path) -> None:
        db = tmp_path / "full.db"
        for index in range(10):
            timestamp = str(1_000 + index)
            assert self._import(db, f"slot-{index}", "--timestamp", timestamp).exit_code == 0
        before = db.read_bytes()
        refused = self._import(db, "eleventh")
        assert refused.exit_code == 1
        assert "would evict 'slot-0'" in refused.output
        assert "--evict-oldest" in refused.output
        assert db.read_bytes() == before
        listed = json.loads(run("saves", "list", "--db", str(db), "--json").output)
        assert len(listed) == 10 and "eleventh" not in {e["slot"] for e in listed}
        evicted = self._import(db, "eleventh", "--evict-oldest", "--json")
        assert evicted.exit_code == 0, evicted.output
        assert json.loads(evicted.output)["evicted"] == ["slot-0"]

    def test_replacing_an_existing_slot_needs_no_flag(self, tmp_path: Path) -> None:
        db = tmp_path / "full.db"
        for index in range(10):
            assert self._import(db, f"slot-{index}").exit_code == 0
        assert self._import(db, "slot-3").exit_code == 0
