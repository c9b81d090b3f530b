"""What the saves commands do with files that are not sound save databases, and on a read-only
mount: real files, real SQLite, the CLI in-process, a real tmpfs mounted read-only."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from tests.saves.conftest import STORY_DEMO

from worldstate.cli import cli
from worldstate.saves import checksum

SQLITE_HEADER = b"SQLite format 3\x00"
PAGE = 4096


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def import_story(db: Path, slot: str = "story") -> None:
    result = run("saves", "import", "--db", str(db), "--slot", slot, "--events", str(STORY_DEMO))
    assert result.exit_code == 0, result.output


def foreign_database(path: Path) -> Path:
    """Another application's SQLite database (rollback journal, as SQLite creates them)."""
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT)")
        conn.executemany("INSERT INTO accounts (name) VALUES (?)", [("ann",), ("bo",)])
    conn.close()
    return path


IMPORT = ("import", "--slot", "s", "--events", str(STORY_DEMO))
COMMANDS = {
    "list": ("list",),
    "show": ("show", "--slot", "s"),
    "verify": ("verify",),
    "delete": ("delete", "--slot", "s"),
    "import": IMPORT,
}


class TestRefusedFilesAreUntouched:
    @pytest.mark.parametrize("command", sorted(COMMANDS))
    def test_foreign_sqlite_database_is_byte_identical(self, tmp_path: Path, command: str) -> None:
        """A SQLite file that is not a save database exits 2 and keeps every byte: it is not
        switched to WAL, and no file appears next to it."""
        db = foreign_database(tmp_path / "app.db")
        before = db.read_bytes()
        result = run("saves", COMMANDS[command][0], "--db", str(db), *COMMANDS[command][1:])
        assert result.exit_code == 2, result.output
        assert "not a worldstate save database" in result.output and str(db) in result.output
        assert db.read_bytes() == before
        assert sorted(p.name for p in tmp_path.iterdir()) == ["app.db"]

    @pytest.mark.parametrize("command", ["list", "show", "verify", "delete"])
    def test_empty_file_stays_empty(self, tmp_path: Path, command: str) -> None:
        """A 0-byte file is refused by every command that needs a save database (it is not
        grown to a page)."""
        db = tmp_path / "empty.db"
        db.touch()
        result = run("saves", COMMANDS[command][0], "--db", str(db), *COMMANDS[command][1:])
        assert result.exit_code == 2, result.output
        assert "not a worldstate save database" in result.output
        assert db.stat().st_size == 0

    def test_import_adopts_an_empty_file(self, tmp_path: Path) -> None:
        """import creates its database in a 0-byte file (nothing was there to lose)."""
        db = tmp_path / "empty.db"
        db.touch()
        import_story(db)
        listed = json.loads(run("saves", "list", "--db", str(db), "--json").output)
        assert [e["slot"] for e in listed] == ["story"]

    def test_newer_schema_is_byte_identical(self, tmp_path: Path) -> None:
        """A save database from a newer release exits 2 on import and delete, unchanged."""
        db = tmp_path / "saves.db"
        import_story(db)
        with sqlite3.connect(db) as conn:
            conn.execute("PRAGMA user_version = 7")
        conn.close()
        before = db.read_bytes()
        for command in ("delete", "import"):
            result = run("saves", command, "--db", str(db), *COMMANDS[command][1:])
            assert result.exit_code == 2 and "newer than this worldstate" in result.output
            assert db.read_bytes() == before

    def test_text_file_is_bad_input(self, tmp_path: Path) -> None:
        """A file that is not SQLite at all exits 2 for every command, unchanged."""
        db = tmp_path / "notes.db"
        db.write_bytes(b"shopping list: eggs, milk\n" * 200)
        for command, args in COMMANDS.items():
            result = run("saves", args[0], "--db", str(db), *args[1:])
            assert result.exit_code == 2, (command, result.output)
            assert "not a save database: file is not a database" in result.output
        assert db.read_bytes() == b"shopping list: eggs, milk\n" * 200


def damage(db: Path, offset: int, value: bytes) -> None:
    data = bytearray(db.read_bytes())
    data[offset : offset + len(value)] = value
    db.write_bytes(bytes(data))


class TestDamagedDatabase:
    """Damage SQLite itself finds (a header field, a page) is exit 1 for every command, the
    same as a save that fails its checksum; only a file that does not start like SQLite is
    bad input (exit 2)."""

    @pytest.fixture(name="db")
    def _db(self, tmp_path: Path) -> Path:
        db = tmp_path / "saves.db"
        import_story(db)
        assert db.read_bytes().startswith(SQLITE_HEADER)
        return db

    @pytest.mark.parametrize(
        ("where", "offset", "value"),
        [
            ("page size in the header", 16, b"\x00\x03"),
            ("database size in the header", 28, b"\x7f\xff\xff\xff"),
            ("b-tree page type of page 2", PAGE, b"\x01"),
        ],
        ids=["page-size", "db-size", "btree-page"],
    )
    @pytest.mark.parametrize("command", ["list", "show", "verify", "delete", "import"])
    def test_damage_is_exit_1_naming_the_database(
        self, db: Path, command: str, where: str, offset: int, value: bytes
    ) -> None:
        """Each kind of damage gives exit 1 with 'the save database is damaged' (never 2,
        never a traceback)."""
        damage(db, offset, value)
        args = COMMANDS[command]
        slot_args = ("--slot", "story") if command in ("show", "delete") else args[1:]
        result = run("saves", args[0], "--db", str(db), *slot_args)
        assert result.exit_code == 1, (where, result.output)
        assert "the save database is damaged" in result.output and str(db) in result.output

    def test_damaged_header_on_export(self, db: Path, tmp_path: Path) -> None:
        """export --save of a damaged database exits 1, like a corrupt save."""
        damage(db, 16, b"\x00\x03")
        out = tmp_path / "out"
        result = run(
            "export", "--save", str(db), "--slot", "story", "--out", str(out), "--no-publish"
        )
        assert result.exit_code == 1, result.output
        assert "the save database is damaged" in result.output


class TestVerify:
    def test_sound_database_passes(self, tmp_path: Path) -> None:
        """verify exits 0 and says how many saves it verified."""
        db = tmp_path / "saves.db"
        import_story(db, "one")
        import_story(db, "two")
        result = run("saves", "verify", "--db", str(db))
        assert result.exit_code == 0, result.output
        assert f"{db}: database integrity ok; 2 saves verified" in result.output
        report = json.loads(run("saves", "verify", "--db", str(db), "--json").output)
        assert report["ok"] is True and report["integrity"] == ["ok"]
        assert {(e["slot"], e["status"], e["verified"]) for e in report["slots"]} == {
            ("one", "ok", True),
            ("two", "ok", True),
        }

    def test_a_world_that_fails_validation_is_corrupt(self, tmp_path: Path) -> None:
        """A payload with a valid checksum whose world snapshot does not validate fails
        verify (as it would fail a load), naming the JSON path."""
        db = tmp_path / "saves.db"
        import_story(db)
        with sqlite3.connect(db) as conn:
            (payload,) = conn.execute("SELECT payload FROM save_payload").fetchone()
            save = json.loads(payload)
            save["gameData"]["quests"] = {"byId": "not an object"}
            changed = json.dumps(save, separators=(",", ":")).encode()
            conn.execute("UPDATE save_payload SET payload = ?", (changed,))
            conn.execute(
                "UPDATE save_index SET size = ?, checksum = ?",
                (len(changed), checksum(changed)),
            )
        conn.close()
        result = CliRunner().invoke(cli, ["saves", "verify", "--db", str(db), "--json"])
        assert result.exit_code == 1
        (entry,) = json.loads(result.stdout)["slots"]
        assert entry["problem"].startswith("world snapshot fails validation")
        assert "$.quests.byId" in entry["problem"]


class TestJsonOutput:
    def test_import_and_delete_json(self, tmp_path: Path) -> None:
        """--json on import prints the receipt, on delete what was deleted."""
        db = tmp_path / "saves.db"
        result = run(*("saves", "import", "--db", str(db)), *IMPORT[1:], "--json")
        assert result.exit_code == 0, result.output
        receipt = json.loads(result.output)
        assert receipt == {
            "slot": "s",
            "db": str(db),
            "size": receipt["size"],
            "timestamp": receipt["timestamp"],
            "playtime": receipt["playtime"],
            "evicted": [],
        }
        assert receipt["size"] > 10_000 and receipt["playtime"] > 0
        deleted = run("saves", "delete", "--db", str(db), "--slot", "S", "--json")
        assert deleted.exit_code == 0
        assert json.loads(deleted.output) == {"slot": "s", "db": str(db), "deleted": True}


def _mount(*args: str) -> None:
    done = subprocess.run(["mount", *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.fail(f"mount {' '.join(args)} failed: {done.stderr.strip()} (needs CAP_SYS_ADMIN)")


@contextmanager
def read_only_tmpfs(tmp_path: Path, prepare: Callable[[Path], None]) -> Iterator[Path]:
    """A tmpfs on which ``prepare(folder)`` runs, then remounted read-only; unmounted after."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs read-only needs root")
    mount = tmp_path / "mnt"
    mount.mkdir()
    _mount("-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount))
    try:
        prepare(mount)
        _mount("-o", "remount,ro", str(mount))
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def _two_saves(folder: Path) -> None:
    import_story(folder / "saves.db")
    import_story(folder / "saves.db", "extra")


@pytest.fixture(name="read_only_mount")
def _read_only_mount(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """A tmpfs holding a save database (slots 'story' and 'extra'), remounted read-only."""
    with read_only_tmpfs(tmp_path, _two_saves) as mount:
        yield mount, mount / "saves.db"


# A writer that commits and dies before any checkpoint: the commit stays in saves.db-wal.
DYING_WRITER = """
import os, sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA wal_autocheckpoint = 0")
conn.execute("UPDATE save_index SET label = 'changed'")
os.kill(os.getpid(), 9)
"""


def _commit_left_in_the_log(folder: Path) -> None:
    import_story(folder / "saves.db")
    subprocess.run([sys.executable, "-c", DYING_WRITER, str(folder / "saves.db")], check=False)
    (folder / "saves.db-shm").unlink()
    assert (folder / "saves.db-wal").stat().st_size > 0


class TestReadOnlyMount:
    def test_list_show_verify_and_export_work(
        self, read_only_mount: tuple[Path, Path], tmp_path: Path
    ) -> None:
        """On a read-only mount the reading commands succeed and leave no file behind."""
        mount, db = read_only_mount
        before = db.read_bytes()
        listed = run("saves", "list", "--db", str(db), "--json")
        assert listed.exit_code == 0, listed.output
        assert sorted(e["slot"] for e in json.loads(listed.output)) == ["extra", "story"]
        shown = run("saves", "show", "--db", str(db), "--slot", "story", "--json")
        assert shown.exit_code == 0 and json.loads(shown.output)["status"] == "ok"
        verified = run("saves", "verify", "--db", str(db))
        assert verified.exit_code == 0, verified.output
        out = tmp_path / "out"
        exported = run(
            *("export", "--save", str(db), "--slot", "story"),
            *("--formats", "json", "--out", str(out), "--no-publish"),
        )
        assert exported.exit_code == 0, exported.output
        assert any(p.suffix == ".json" for p in out.iterdir())
        assert sorted(p.name for p in mount.iterdir()) == ["saves.db"]
        assert db.read_bytes() == before

    @pytest.mark.parametrize("command", ["delete", "import"])
    def test_writing_commands_say_the_mount_is_read_only(
        self, read_only_mount: tuple[Path, Path], command: str
    ) -> None:
        """delete and import exit 1 saying the file system is read-only."""
        _, db = read_only_mount
        args = ("--slot", "story") if command == "delete" else COMMANDS[command][1:]
        result = run("saves", command, "--db", str(db), *args)
        assert result.exit_code == 1, result.output
        assert "mounted read-only" in result.output

    def test_a_log_holding_commits_is_refused_not_ignored(self, tmp_path: Path) -> None:
        """A -wal file with commits (and no -shm) cannot be read on a read-only mount: the
        command exits 1 saying what to do, rather than list the database without them."""
        with read_only_tmpfs(tmp_path, _commit_left_in_the_log) as mount:
            result = run("saves", "list", "--db", str(mount / "saves.db"))
        assert result.exit_code == 1, result.output
        assert "write-ahead log (saves.db-wal) that still holds commits" in result.output
