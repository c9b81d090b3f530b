"""The objects the fixtures hand to a test: a world with its telemetry, and a factory of them."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

import pytest

from worldstate.clock import ManualClock
from worldstate.errors import ConfigurationError, WorldstateError
from worldstate.events import EventBus
from worldstate.inspector import SummarySection, TutorialTranscriptRecorder, build_summary
from worldstate.names import check_safe_name
from worldstate.pytest_plugin._approval import SNAPSHOT_FOLDER, check_snapshot, select_sections
from worldstate.pytest_plugin._export import ExportedFiles, PristineExports, export_summary
from worldstate.pytest_plugin._settings import PluginSettings
from worldstate.redact import Redactor
from worldstate.replay import ReplayStats, iter_event_log, replay_events
from worldstate.store import WorldStore

__all__ = ["TestScope", "WorldTelemetry", "TelemetryFactory"]

_NOT_FILE_SAFE: Final = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass
class TestScope:
    """What a telemetry needs to know about the test it belongs to.

    Attributes:
        nodeid: the test id.
        test_name: the test function's name with its parameters (``test_x[a-1]``).
        test_path: the test file.
        rootdir: the session's rootdir (snapshot paths are shown relative to it).
        folder: the test's telemetry folder.
        prefix: the file-name prefix of the test's artifacts.
        settings: the resolved plugin options.
        redactor: redacts every context written.
        context: the export context (the test id; outcome and duration are added at export).
        on_snapshot_written: told the path of every snapshot file written.
        pristine: the session's reusable exports of untouched worlds.
    """

    nodeid: str
    test_name: str
    test_path: Path
    rootdir: Path
    folder: Path
    prefix: str
    settings: PluginSettings
    redactor: Redactor
    context: dict[str, Any]
    on_snapshot_written: Callable[[str], None]
    pristine: PristineExports
    exports: list[ExportedFiles] = field(default_factory=list)
    _unnamed_snapshots: int = 0

    def snapshot_path(self, name: str | None) -> Path:
        """``__worldstate__/<test module>/<name>.json`` beside the test file.

        Without a name, the test's name is used (made file-safe), numbered ``-2``, ``-3``... for
        further unnamed snapshots in the same test.
        """
        if name is None:
            self._unnamed_snapshots += 1
            base = _NOT_FILE_SAFE.sub("-", self.test_name).strip("-.") or "snapshot"
            name = base if self._unnamed_snapshots == 1 else f"{base}-{self._unnamed_snapshots}"
        else:
            check_safe_name(name, what="snapshot name")
        module = self.test_path.stem
        return self.test_path.parent / SNAPSHOT_FOLDER / module / f"{name}.json"

    def shown(self, path: Path) -> str:
        """``path`` relative to the rootdir when it is below it."""
        try:
            return str(path.relative_to(self.rootdir))
        except ValueError:
            return str(path)


@dataclass(frozen=True, slots=True)
class _World:
    """A telemetry's bus, store and recorder; ``owned`` when the store was built here."""

    bus: EventBus
    store: WorldStore
    recorder: TutorialTranscriptRecorder
    owned: bool

    @classmethod
    def fresh(cls, clock: ManualClock, bus: EventBus | None = None) -> _World:
        """A new store with the default slices on ``bus`` (or a new bus), reading ``clock``."""
        store = WorldStore(bus if bus is not None else EventBus(), clock=clock)
        return cls(store.bus, store, TutorialTranscriptRecorder(store.bus, clock=clock), True)

    @classmethod
    def around(cls, store: WorldStore, clock: ManualClock) -> _World:
        """The game's own store, with a recorder on its bus."""
        return cls(store.bus, store, TutorialTranscriptRecorder(store.bus, clock=clock), False)

    def close(self) -> None:
        """Stop the recorder, and the store when it was built here."""
        self.recorder.close()
        if self.owned:
            self.store.close()


@functools.lru_cache(maxsize=8)
def _pristine_summary(now: int) -> Mapping[str, Any]:
    world = _World.fresh(ManualClock(now))
    try:
        return MappingProxyType(build_summary(world.store, recorder=world.recorder))
    finally:
        world.close()


def pristine_summary(now: int) -> Mapping[str, Any]:
    """The raw summary of a fresh world whose clock reads ``now`` (built once per ``now``).

    It is what a telemetry whose world was never touched exports; the exporter only reads it.
    """
    return _pristine_summary(now)


class WorldTelemetry:
    """A world store on an event bus, with a tutorial transcript recorder and a manual clock.

    Once the test's body has run, its inspector summary is exported into the test's folder.
    The world (bus, store, recorder) is built on first use; one never used is exported as the
    pristine world at the clock's time.

    Attributes:
        bus: the event bus the store listens on.
        store: the world store.
        recorder: the tutorial transcript recorder on the bus.
        clock: the manual clock the store (and recorder) read; advance it to move time.
    """

    def __init__(
        self,
        scope: TestScope,
        *,
        clock: ManualClock,
        prefix: str,
        world: _World | None = None,
        sections: Sequence[SummarySection] = (),
    ) -> None:
        self.clock = clock
        self._scope = scope
        self._prefix = prefix
        self._explicit_exports = 0
        self._sections = tuple(sections)
        # A fresh world is built on first use: a test that never touches it is exported as
        # the pristine world it would have been, without paying for a store.
        self._world = world

    @property
    def bus(self) -> EventBus:
        """The event bus the store listens on."""
        return self._built().bus

    @property
    def store(self) -> WorldStore:
        """The world store."""
        return self._built().store

    @property
    def recorder(self) -> TutorialTranscriptRecorder:
        """The tutorial transcript recorder on the bus."""
        return self._built().recorder

    def _built(self) -> _World:
        if self._world is None:
            self._world = _World.fresh(self.clock)
        return self._world

    @property
    def prefix(self) -> str:
        """The file-name prefix of this telemetry's artifacts."""
        return self._prefix

    def replay(self, path: str | Path) -> ReplayStats:
        """Replay a recorded JSONL event log on :attr:`bus`, moving :attr:`clock` to each event.

        Raises:
            ConfigurationError: the store does not read :attr:`clock`, so replayed times would
                not reach it.
            EventLogError: a line of the log is malformed (names the file and line).
        """
        if self.store.clock is not self.clock:
            raise ConfigurationError(
                "replay() moves the telemetry's ManualClock, but this store reads another clock; "
                "build the store with clock=ManualClock() and pass it to the factory"
            )
        return replay_events(iter_event_log(Path(path)), self.bus, self.clock)

    def summary(self) -> dict[str, Any]:
        """The store's raw inspector summary right now."""
        return build_summary(self.store, recorder=self.recorder, sections=self._sections)

    def export(
        self, *, formats: Sequence[str] | None = None, name: str | None = None
    ) -> ExportedFiles:
        """Export the summary now into the test's folder (the export after the test follows).

        Args:
            formats: canonical formats (default: ``--worldstate-formats``).
            name: added to the file-name prefix, so this export's files stand apart
                (default: this export's number in the test, ``1``, ``2``, ..., so that it
                never collides with the export after the test).
        """
        self._explicit_exports += 1
        return self._export(formats=formats, name=name or str(self._explicit_exports))

    def _export(
        self, *, formats: Sequence[str] | None = None, name: str | None = None
    ) -> ExportedFiles:
        prefix = self._prefix if name is None else f"{self._prefix}-{_file_safe(name)}"
        pristine = self._world is None and not self._sections
        exported = export_summary(
            pristine_summary(self.clock()) if pristine else self.summary(),
            folder=self._scope.folder,
            prefix=prefix,
            formats=self._scope.settings.formats if formats is None else tuple(formats),
            clock=self.clock,
            context=self._scope.context,
            redactor=self._scope.redactor,
            bus=None if self._world is None else self._world.bus,
            pristine=self._scope.pristine if pristine else None,
        )
        self._scope.exports.append(exported)
        return exported

    def assert_world(
        self,
        name: str | None = None,
        *,
        sections: Sequence[str] | None = None,
        ignore: Sequence[str] = (),
    ) -> None:
        """Compare the world with its approval snapshot ``__worldstate__/<module>/<name>.json``.

        Args:
            name: the snapshot's name (default: the test's name).
            sections: compare only these snapshot sections (``["factions", "quests"]``).
            ignore: fnmatch patterns of dotted paths to leave out (``"*At"``,
                ``"factions.*.history"``); a match hides everything below it too.

        Fails the test with a per-path diff when the world differs, or saying how to create
        the snapshot when there is none; with ``--worldstate-update`` writes it instead.
        """
        __tracebackhide__ = True
        if isinstance(ignore, str):
            ignore = (ignore,)
        try:
            data = select_sections(self.store.snapshot(), sections)
        except KeyError as exc:
            pytest.fail(f"assert_world: {exc.args[0]}", pytrace=False)
        try:
            path = self._scope.snapshot_path(name)
        except WorldstateError as exc:
            pytest.fail(f"assert_world: {exc}", pytrace=False)
        outcome = check_snapshot(
            data,
            path,
            update=self._scope.settings.update_snapshots,
            ignore=tuple(ignore),
            shown=self._scope.shown(path),
        )
        if outcome.written:
            self._scope.on_snapshot_written(self._scope.shown(path))
        if outcome.problem is not None:
            pytest.fail(outcome.problem, pytrace=False)

    def close(self) -> None:
        """Stop the recorder and the store listening (a store brought by the game stays open)."""
        if self._world is not None:
            self._world.close()

    def __repr__(self) -> str:
        return f"WorldTelemetry({self._scope.nodeid!r}, clock={self.clock!r})"


def _file_safe(name: str) -> str:
    return _NOT_FILE_SAFE.sub("-", name).strip("-.") or "export"


class TelemetryFactory:
    """Makes :class:`WorldTelemetry` objects for one test; all of them are exported at its end.

    Call it with nothing for a fresh world, or with the game's own ``store`` (its bus is used)
    or ``bus`` (a store is built on it).  A second telemetry in one test needs a ``name``; its
    files are prefixed with it.
    """

    def __init__(self, scope: TestScope) -> None:
        self._scope = scope
        self.made: list[WorldTelemetry] = []

    def __call__(
        self,
        *,
        store: WorldStore | None = None,
        bus: EventBus | None = None,
        clock: ManualClock | None = None,
        name: str | None = None,
        sections: Sequence[SummarySection] = (),
    ) -> WorldTelemetry:
        """A telemetry over ``store`` (or a new store on ``bus``, or on a new bus).

        Args:
            store: the game's store; its bus becomes the telemetry's bus.
            bus: the game's bus, when it has no store yet.
            clock: the clock; default: the store's when it is a ManualClock, else a new one.
            name: required from the second telemetry on; part of its files' prefix.
            sections: the game's own summary sections, exported after the standard ones.

        Raises:
            ConfigurationError: ``store`` and a different ``bus`` given, or a second
                telemetry without a (new) name.
        """
        if store is not None and bus is not None and store.bus is not bus:
            raise ConfigurationError("pass the store or its bus, not a store and another bus")
        prefix = self._prefix_for(name)
        world: _World | None = None
        if store is not None:
            clock = clock if clock is not None else _manual_clock_of(store)
            world = _World.around(store, clock)
        else:
            clock = clock if clock is not None else ManualClock()
            if bus is not None:
                world = _World.fresh(clock, bus)
        telemetry = WorldTelemetry(
            self._scope, clock=clock, prefix=prefix, world=world, sections=sections
        )
        self.made.append(telemetry)
        return telemetry

    def _prefix_for(self, name: str | None) -> str:
        if name is None:
            if self.made:
                raise ConfigurationError("a second telemetry in one test needs a name=")
            return self._scope.prefix
        prefix = f"{self._scope.prefix}-{_file_safe(name)}"
        if any(t.prefix == prefix for t in self.made):
            raise ConfigurationError(f"a telemetry named {name!r} already exists in this test")
        return prefix

    def export_all(self) -> list[ExportedFiles]:
        """Export every telemetry made (the export after the test)."""
        return [telemetry._export() for telemetry in self.made]

    def close(self) -> None:
        """Close the recorders, and the stores the factory built."""
        for telemetry in self.made:
            telemetry.close()


def _manual_clock_of(store: WorldStore) -> ManualClock:
    return store.clock if isinstance(store.clock, ManualClock) else ManualClock()
