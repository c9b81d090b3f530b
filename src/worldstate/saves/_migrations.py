"""Save migrations: a registry of version-to-version steps over the decoded JSON envelope.

::

    registry = MigrationRegistry(current_version=2)

    @registry.register(1, 2)
    def add_weather(save: dict) -> dict:
        save["gameData"].setdefault("weather", None)
        return save

A step receives the whole envelope as plain JSON values and returns the upgraded envelope; the
registry sets ``version`` after each step.  :meth:`MigrationRegistry.migrate` chains steps from
the save's version to the current one.  Any failure raises
:class:`~worldstate.errors.MigrationError` naming the step and the reason; the caller writes
nothing in that case.  :data:`DEFAULT_MIGRATIONS` holds the reference's 0 -> 1 step.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from worldstate.errors import MigrationError
from worldstate.saves._records import CURRENT_SAVE_VERSION

__all__ = ["MigrationStep", "MigrationRegistry", "DEFAULT_MIGRATIONS", "save_version"]

MigrationStep = Callable[[dict[str, Any]], dict[str, Any]]
"""A step: takes the envelope at version ``from_version``, returns it at ``to_version``."""


def save_version(data: dict[str, Any]) -> int:
    """The envelope version of a decoded save (a save without one is version 0).

    Raises:
        ValueError: ``version`` is present but not a non-negative integer.
    """
    version = data.get("version", 0)
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise ValueError(f"invalid_save_data: version {version!r} is not a non-negative integer")
    return version


class MigrationRegistry:
    """Version-to-version migration steps for save envelopes.

    Args:
        current_version: the version saves are migrated to.
    """

    def __init__(self, current_version: int = CURRENT_SAVE_VERSION) -> None:
        self.current_version = current_version
        self._steps: dict[int, tuple[int, MigrationStep]] = {}

    def register(
        self, from_version: int, to_version: int
    ) -> Callable[[MigrationStep], MigrationStep]:
        """Decorator registering a step from ``from_version`` to ``to_version``.

        Raises:
            ValueError: ``to_version <= from_version``, or a step from ``from_version`` exists.
        """
        if to_version <= from_version:
            raise ValueError(f"a migration must go forward, not {from_version} -> {to_version}")
        if from_version in self._steps:
            raise ValueError(f"a migration from version {from_version} is already registered")

        def decorate(step: MigrationStep) -> MigrationStep:
            self._steps[from_version] = (to_version, step)
            return step

        return decorate

    def plan(self, slot: str, from_version: int) -> list[tuple[int, int, MigrationStep]]:
        """The steps leading from ``from_version`` to the current version.

        Raises:
            MigrationError: the save is from the future, or no chain of steps reaches the
                current version.
        """
        target = self.current_version
        if from_version > target:
            reason = "future_version: saved by a newer release"
            raise MigrationError(slot, from_version, target, reason)
        steps: list[tuple[int, int, MigrationStep]] = []
        version = from_version
        while version < target:
            if version not in self._steps:
                raise MigrationError(slot, version, target, f"no migration from version {version}")
            to_version, step = self._steps[version]
            steps.append((version, to_version, step))
            version = to_version
        if version != target:
            raise MigrationError(slot, from_version, target, f"migrations overshoot to {version}")
        return steps

    def migrate(self, slot: str, data: dict[str, Any]) -> dict[str, Any]:
        """Run every step needed to bring ``data`` to the current version.

        Args:
            slot: the slot (for messages).
            data: the decoded envelope; may be modified.

        Returns:
            The envelope at the current version (``data`` itself if nothing was needed).

        Raises:
            MigrationError: the version is invalid or newer, a step is missing, a step raised
                (``migration_failed_<from>_to_<to>: <error>``) or returned a non-object.
        """
        try:
            version = save_version(data)
        except ValueError as exc:
            raise MigrationError(slot, -1, self.current_version, str(exc)) from exc
        for from_version, to_version, step in self.plan(slot, version):
            code = f"migration_failed_{from_version}_to_{to_version}"
            try:
                data = step(data)
            except Exception as exc:
                detail = f"{code}: {type(exc).__name__}: {exc}"
                raise MigrationError(slot, from_version, to_version, detail) from exc
            if not isinstance(data, dict):
                detail = f"{code}: step returned {type(data).__name__}, not an object"
                raise MigrationError(slot, from_version, to_version, detail)
            data["version"] = to_version
        return data


def _as_dict(value: object) -> dict[str, Any]:
    return dict(value) if isinstance(value, dict) else {}


def _int_or(value: object, default: int | None) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _tutorial_v1(tutorial: object, completed: object, skipped: object) -> dict[str, Any]:
    old = _as_dict(tutorial)
    steps = old.get("completedSteps")
    return {
        **old,
        "completed": bool(old.get("completed") or completed),
        "completedSteps": list(steps) if isinstance(steps, list) else [],
        "skipped": bool(old.get("skipped") or skipped),
        "totalSteps": _int_or(old.get("totalSteps"), 0),
        "currentStep": old.get("currentStep") if isinstance(old.get("currentStep"), str) else None,
        "currentStepIndex": _int_or(old.get("currentStepIndex"), -1),
        "lastActionAt": _int_or(old.get("lastActionAt"), None),
    }


DEFAULT_MIGRATIONS = MigrationRegistry()
"""The registry :class:`SaveManager` uses unless given another: holds the 0 -> 1 step."""


@DEFAULT_MIGRATIONS.register(0, 1)
def migrate_0_to_1(save: dict[str, Any]) -> dict[str, Any]:
    """Normalise a version-0 (pre-store) save to the version-1 layout.

    ``storyFlags``/``quests`` become objects; ``factions`` gains ``reputation``,
    ``recentMemberRemovals``, ``version`` and ``timestamp``; ``inventory`` gets ``items``,
    ``equipped``, ``lastUpdatedAt``; ``cases``/``investigation`` are objects or null;
    ``dialogue``/``finaleCinematic`` default to null; ``tutorial`` gets the slice's progress
    keys; top-level ``tutorialComplete``/``tutorialSkipped`` move into ``gameData``.
    """
    game = save.get("gameData")
    if not isinstance(game, dict):
        raise ValueError(f"invalid_save_data: gameData is {type(game).__name__}, not an object")
    stamp = _int_or(save.get("timestamp"), 0)
    completed = save.pop("tutorialComplete", game.get("tutorialComplete", False))
    skipped = save.pop("tutorialSkipped", game.get("tutorialSkipped", False))
    factions = _as_dict(game.get("factions"))
    removals = factions.get("recentMemberRemovals")
    inventory = _as_dict(game.get("inventory"))
    items = inventory.get("items")
    game.update(
        storyFlags=_as_dict(game.get("storyFlags")),
        quests=_as_dict(game.get("quests")),
        factions={
            **factions,
            "reputation": _as_dict(factions.get("reputation")),
            "recentMemberRemovals": list(removals) if isinstance(removals, list) else [],
            "version": 1,
            "timestamp": _int_or(factions.get("timestamp"), stamp),
        },
        inventory={
            **inventory,
            "items": list(items) if isinstance(items, list) else [],
            "equipped": _as_dict(inventory.get("equipped")),
            "lastUpdatedAt": _int_or(inventory.get("lastUpdatedAt"), stamp),
        },
        tutorial=_tutorial_v1(game.get("tutorial"), completed, skipped),
        tutorialComplete=bool(completed),
        tutorialSkipped=bool(skipped),
    )
    for key in ("cases", "investigation"):
        game[key] = game[key] if isinstance(game.get(key), dict) else None
    for key in ("dialogue", "finaleCinematic"):
        game.setdefault(key, None)
    save.setdefault("playtime", 0)
    save.setdefault("meta", {"snapshotSource": "legacy-managers", "slotLabel": save.get("slot")})
    return save
