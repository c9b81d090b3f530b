"""Several real processes on one database, and processes killed in the middle of saving."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from tests._paths import WORKLOADS
from tests.saves.conftest import World

from worldstate.events import EventBus
from worldstate.saves import SaveManager, SqliteSaveStorage, list_saves

MakeWorld = Callable[[], World]
SEED = WORKLOADS / "store-dispatch" / "seed.json"

# A child process: a real store hydrated from the seed snapshot, a contributor carrying the
# writer's id and sequence number, and a loop of saves.  It prints each sequence number after
# save() returned, i.e. after the transaction committed.
CHILD = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from worldstate.clock import system_clock
    from worldstate.events import EventBus
    from worldstate.saves import SaveManager, SqliteSaveStorage, list_saves
    from worldstate.store import WorldStore

    db, writer, count, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]

    class Progress:
        seq = -1
        def collect(self):
            return {"writer": writer, "seq": self.seq}
        def restore(self, data):
            pass

    bus = EventBus()
    store = WorldStore(bus, clock=system_clock)
    store.hydrate(json.loads(Path(seed).read_text()))
    progress = Progress()
    with SqliteSaveStorage(db) as storage:
        manager = SaveManager(storage, store, bus=bus, clock=system_clock,
                              contributors={"progress": progress})
        i = 0
        while count < 0 or i < count:
            progress.seq = i
            manager.save(f"{writer}-{i % 3}")
            manager.save("shared")
            print(i, flush=True)
            i += 1
    """
)


class Progress:
    """Receives the contributor data on load."""

    data: object = None

    def collect(self) -> object:
        return None

    def restore(self, data: object) -> None:
        self.data = data


def _child(db: Path, writer: str, count: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db), writer, str(count), str(SEED)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _load_progress(db: Path, world: World, slot: str) -> object:
    progress = Progress()
    with SqliteSaveStorage(db) as storage:
        manager = SaveManager(
            storage,
            world.store,
            bus=EventBus(),
            clock=world.clock,
            contributors={"progress": progress},
        )
        manager.load(slot)
    return progress.data


class TestConcurrentProcesses:
    @pytest.mark.timeout(240)
    def test_two_writers_leave_a_sound_database(
        self, tmp_path: Path, make_world: MakeWorld
    ) -> None:
        """Two processes saving 200 times each (plus a shared slot) leave a database that
        passes integrity_check, with every slot's last save loadable."""
        db = tmp_path / "shared.db"
        children = [_child(db, writer, 200) for writer in ("left", "right")]
        for child in children:
            out, err = child.communicate(timeout=220)
            assert child.returncode == 0, err
            assert out.split() == [str(i) for i in range(200)]
        with SqliteSaveStorage(db) as storage:
            assert storage.integrity_check() == ["ok"]
            slots = {info.entry.slot: info for info in list_saves(storage)}
        assert sorted(slots) == sorted(
            [f"{w}-{n}" for w in ("left", "right") for n in range(3)] + ["shared"]
        )
        assert all(info.problem is None for info in slots.values())
        last = {0: 198, 1: 199, 2: 197}
        for writer in ("left", "right"):
            for n in range(3):
                data = _load_progress(db, make_world(), f"{writer}-{n}")
                assert data == {"writer": writer, "seq": last[n]}
        shared = _load_progress(db, make_world(), "shared")
        assert shared in ({"writer": "left", "seq": 199}, {"writer": "right", "seq": 199})


class TestKilledWriter:
    @pytest.mark.timeout(240)
    @pytest.mark.parametrize("delay", [0.0, 0.013, 0.05, 0.11, 0.2, 0.37])
    def test_sigkill_never_loses_the_last_good_save(
        self, tmp_path: Path, make_world: MakeWorld, delay: float
    ) -> None:
        """A process killed at a random point of a save loop leaves the slot holding a
        complete save at least as new as the last one it reported committed."""
        db = tmp_path / "victim.db"
        child = _child(db, "victim", -1)
        assert child.stdout is not None
        first = child.stdout.readline()  # one full save committed before the clock starts
        assert first.strip() == "0", child.stderr.read() if child.stderr else ""
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        rest, _ = child.communicate(timeout=30)
        assert child.returncode == -signal.SIGKILL
        reported = [int(line) for line in (first + rest).split()]
        last_committed = reported[-1]
        with SqliteSaveStorage(db) as storage:
            assert storage.integrity_check() == ["ok"]
        # Iteration L (the last reported) committed both its saves; L + 1 may have committed
        # its own slot (a different one) and the shared slot, but nothing else.
        data = _load_progress(db, make_world(), "shared")
        assert isinstance(data, dict) and data["writer"] == "victim"
        assert last_committed <= data["seq"] <= last_committed + 1
        own = _load_progress(db, make_world(), f"victim-{last_committed % 3}")
        assert own == {"writer": "victim", "seq": last_committed}


# A child that waits for a common start instant, then opens (and so creates) the database.
OPENER = textwrap.dedent(
    """
    import sys, time
    from worldstate.saves import SqliteSaveStorage

    db, start = sys.argv[1], float(sys.argv[2])
    while time.time() < start:
        pass
    with SqliteSaveStorage(db) as storage, storage.transaction():
        pass
    print("ok", flush=True)
    """
)


class TestConcurrentCreation:
    def test_processes_creating_one_new_database_at_once_all_succeed(self, tmp_path: Path) -> None:
        """Six processes opening the same brand-new file at the same instant, ten times over:
        every one succeeds (switching to WAL is retried while another process holds the file)."""
        for round_ in range(10):
            db = tmp_path / f"new-{round_}.db"
            start = time.time() + 0.5
            children = [
                subprocess.Popen(
                    [sys.executable, "-c", OPENER, str(db), str(start)],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                for _ in range(6)
            ]
            for child in children:
                out, err = child.communicate(timeout=60)
                assert child.returncode == 0 and out.strip() == "ok", err
            with SqliteSaveStorage(db, mode="existing") as storage:
                assert list_saves(storage) == []
