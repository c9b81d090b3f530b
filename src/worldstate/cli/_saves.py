"""``worldstate saves``: list, show, verify, delete and import saves in a SQLite save database.

``list``, ``show``, ``verify`` and ``delete`` need an existing database (a missing one is bad
input, exit 2, and is not created); ``import`` creates it.  Every command identifies the file
read-only before writing anything, so a file that is refused is left as it was.  ``--json``
prints machine-readable output.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import msgspec
from rich.console import Console
from rich.table import Table

from worldstate._js import iso_from_ms
from worldstate.cli._app import cli, echo_replay_problems
from worldstate.cli._options import STRICT_REPLAY_HELP, json_option, strict_option
from worldstate.clock import Clock, ManualClock, system_clock
from worldstate.errors import InputError, SaveError, SlotLimitError, SlotNotFoundError
from worldstate.events import EventBus
from worldstate.replay import StoreReplay, iter_event_log
from worldstate.saves import (
    SaveManager,
    SlotInfo,
    SqliteSaveStorage,
    VerifyReport,
    check_save,
    encode_envelope,
    list_saves,
    normalize_slot_name,
    verify_saves,
)
from worldstate.store import WorldStore, load_snapshot_file

__all__ = ["saves"]

_DB = click.option(
    "--db",
    "db",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="The SQLite save database.",
)
_SLOT = click.option(
    "--slot", "slot", required=True, help="Slot name (normalised: 'My Slot' -> my-slot)."
)
_JSON = json_option("Print JSON instead of text.")


@cli.group("saves")
def saves() -> None:
    """Inspect and manage save databases."""


def _echo_json(value: Any) -> None:
    # msgspec writes what json.dumps(indent=2, ensure_ascii=False) writes, ten times faster.
    click.echo(msgspec.json.format(msgspec.json.encode(value), indent=2).decode())


def _table(infos: list[SlotInfo]) -> Table:
    # Status comes right after the slot and the free-text label last, so that on a narrow
    # terminal the label wraps first and a corrupt save is never squeezed out of view.  Slot
    # type and format version are in --json and `saves show --json`.
    table = Table()
    table.add_column("slot", overflow="fold", min_width=16)
    table.add_column("status", overflow="fold", min_width=8)
    table.add_column("saved at (UTC)", no_wrap=True)
    table.add_column("playtime", no_wrap=True)
    table.add_column("label", overflow="fold")
    for info in infos:
        e = info.entry
        status = info.status.value if info.problem is None else f"corrupt: {info.problem}"
        table.add_row(
            e.slot,
            status,
            iso_from_ms(e.timestamp)[:19].replace("T", " "),
            _playtime(e.playtime),
            e.label,
        )
    return table


def _playtime(ms: int) -> str:
    """``1h 02m 03s`` style; the exact milliseconds are in ``--json``."""
    seconds = max(ms, 0) // 1000
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m {secs:02d}s"
    return f"{minutes}m {secs:02d}s" if minutes else f"{secs}s"


@saves.command("list")
@_DB
@_JSON
def list_command(db: Path, as_json: bool) -> None:
    """List the saves, newest first, with their status (ok / corrupt)."""
    with SqliteSaveStorage(db, mode="read-only") as storage:
        infos = list_saves(storage)
    if as_json:
        _echo_json([info.to_dict() for info in infos])
    elif infos:
        Console().print(_table(infos))
    else:
        click.echo(f"{db}: no saves")


@saves.command("show")
@_DB
@_SLOT
@_JSON
def show_command(db: Path, slot: str, as_json: bool) -> None:
    """Show one save, verified, and what its gameData holds (a corrupt save shows why)."""
    name = normalize_slot_name(slot)
    with SqliteSaveStorage(db, mode="read-only") as storage:
        stored = storage.read(name)
    if stored is None:
        raise SlotNotFoundError(name)
    info, envelope = check_save(stored)
    save = None if envelope is None else msgspec.json.decode(encode_envelope(envelope))
    if as_json:
        _echo_json({**info.to_dict(), "save": save})
        return
    Console().print(_table([info]))
    if save is not None:
        keys = Table("gameData key", "JSON bytes")
        for key, value in save["gameData"].items():
            keys.add_row(key, str(len(msgspec.json.encode(value))))
        Console().print(keys)


@saves.command("verify")
@_DB
@_JSON
def verify_command(db: Path, as_json: bool) -> None:
    """Check the database and every save as a load would (exit 1 if anything is corrupt)."""
    with SqliteSaveStorage(db, mode="read-only") as storage:
        report = verify_saves(storage)
    if as_json:
        _echo_json(
            {
                "ok": report.ok,
                "integrity": list(report.integrity),
                "slots": [info.to_dict() for info in report.slots],
            }
        )
    else:
        _print_verification(db, report)
    if not report.ok:
        raise SaveError(f"{db}: {_verdict(report)}")


def _print_verification(db: Path, report: VerifyReport) -> None:
    if report.slots:
        Console().print(_table(list(report.slots)))
    integrity = "ok" if report.integrity == ("ok",) else "; ".join(report.integrity)
    count = len(report.slots)
    click.echo(f"{db}: database integrity {integrity}; {count} save{'s' * (count != 1)} verified")


def _verdict(report: VerifyReport) -> str:
    parts = []
    if report.integrity != ("ok",):
        parts.append("the database fails its integrity check")
    if report.corrupt:
        slots = ", ".join(info.entry.slot for info in report.corrupt)
        parts.append(f"{len(report.corrupt)} of {len(report.slots)} saves are corrupt ({slots})")
    return " and ".join(parts) + "; restore them from a backup or delete them"


@saves.command("delete")
@_DB
@_SLOT
@_JSON
def delete_command(db: Path, slot: str, as_json: bool) -> None:
    """Delete one save (an unknown slot is an error, exit 2)."""
    name = normalize_slot_name(slot)
    with SqliteSaveStorage(db, mode="existing") as storage, storage.transaction() as tx:
        if not tx.remove(name):
            raise SlotNotFoundError(name)
    if as_json:
        _echo_json({"slot": name, "db": str(db), "deleted": True})
    else:
        click.echo(f"deleted slot {name!r} from {db}")


@saves.command("import")
@_DB
@_SLOT
@click.option(
    "--events",
    "events",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="A recorded playthrough (JSONL event log) to replay into a fresh store.",
)
@click.option(
    "--snapshot",
    "snapshot",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="A world snapshot (JSON, reference format) to validate and save.",
)
@click.option(
    "--timestamp",
    "timestamp",
    type=int,
    default=None,
    help="Save time in ms since the epoch (default: the last event's ts, or now for --snapshot).",
)
@strict_option(STRICT_REPLAY_HELP + " With --events only.")
@click.option(
    "--evict-oldest",
    is_flag=True,
    help="When the database already holds its 10 manual slots, evict the oldest to make room "
    "(default: refuse, exit 1).",
)
@_JSON
def import_command(
    db: Path,
    slot: str,
    events: Path | None,
    snapshot: Path | None,
    timestamp: int | None,
    strict: bool,
    evict_oldest: bool,
    as_json: bool,
) -> None:
    """Make a save from a recorded playthrough or a snapshot (creates the database)."""
    if (events is None) == (snapshot is None):
        raise click.UsageError("give exactly one of --events and --snapshot")
    if strict and events is None:
        raise click.UsageError("--strict applies to --events")
    name = normalize_slot_name(slot)
    if events is not None:
        store, clock, started_at = _replayed(events, strict=strict)
    else:
        assert snapshot is not None  # exactly one of the two was given
        store, clock, started_at = _hydrated(snapshot)
    if timestamp is not None:
        clock = ManualClock(timestamp)
    with SqliteSaveStorage(db, mode="create") as storage:
        manager = SaveManager(storage, store, bus=EventBus(), clock=clock, started_at=started_at)
        try:
            receipt = manager.save(slot, evict=evict_oldest)
        except SlotLimitError as exc:
            raise SaveError(
                f"{db}: {exc}; delete one (worldstate saves delete) or pass --evict-oldest"
            ) from exc
    if as_json:
        _echo_json(
            {
                "slot": receipt.slot,
                "db": str(db),
                "size": receipt.size,
                "timestamp": receipt.timestamp,
                "playtime": receipt.playtime,
                "evicted": list(receipt.evicted),
            }
        )
    else:
        click.echo(
            f"saved slot {name!r} to {db} ({receipt.size} bytes, timestamp {receipt.timestamp})"
        )
        if receipt.evicted:
            click.echo(f"evicted the oldest manual slots: {', '.join(receipt.evicted)}")


def _replayed(events: Path, *, strict: bool) -> tuple[WorldStore, Clock, int | None]:
    """Stream the log into a fresh store; playtime counts from its first event."""
    replay = StoreReplay(iter_event_log(events), source=str(events))
    if replay.first_ts is None:
        raise InputError("event log holds no events", source=str(events))
    stats = replay.run(strict=strict)
    echo_replay_problems(str(events), replay.problems(stats))
    return replay.store, replay.clock, replay.first_ts


def _hydrated(snapshot: Path) -> tuple[WorldStore, Clock, int | None]:
    valid = load_snapshot_file(snapshot)
    store = WorldStore(EventBus(), clock=system_clock)
    store.hydrate(valid, source=str(snapshot))
    return store, system_clock, None
