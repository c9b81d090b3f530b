"""The CLI imports a command's module only when the command runs, and its help stays true."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from worldstate.cli import cli
from worldstate.cli._lazy import LazyGroup, lazy_group


def lazy_groups() -> list[LazyGroup]:
    groups: list[LazyGroup] = [lazy_group(cli)]
    ctx = click.Context(cli)
    for name in cli.list_commands(ctx):
        command = cli.get_command(ctx, name)
        if isinstance(command, LazyGroup):
            groups.append(command)
    return groups


@pytest.mark.parametrize("group", lazy_groups(), ids=lambda g: g.name)
def test_every_lazy_command_exists_and_its_listed_help_is_its_own(group: LazyGroup) -> None:
    ctx = click.Context(group)
    for name, lazy in group.lazy_commands.items():
        command = group.get_command(ctx, name)
        assert command is not None, f"{lazy.module} does not define {group.name} {name}"
        assert command.get_short_help_str(1000) == lazy.short_help, f"{group.name} {name}"


def test_help_imports_no_command_module() -> None:
    """`worldstate --help` loads the group only: no command, no store, no rich, no logging
    (configured by the group's callback, which --help never runs)."""
    code = (
        "import sys\n"
        "from worldstate.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "loaded = sorted(\n"
        "    m for m in sys.modules if m.startswith(('worldstate.', 'rich')) or m == 'logging'\n"
        ")\n"
        "print(','.join(loaded))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    loaded = set(out.strip().splitlines()[-1].split(","))
    assert loaded == {
        "worldstate.cli",
        "worldstate.cli._app",
        "worldstate.cli._lazy",
        "worldstate.clock",
        "worldstate.errors",
    }


def test_every_registered_command_is_listed_in_its_lazy_group() -> None:
    """A command a module registers but the lazy map does not list would be unreachable."""
    import pkgutil

    import worldstate.cli

    for module in pkgutil.iter_modules(worldstate.cli.__path__):
        importlib.import_module(f"worldstate.cli.{module.name}")
    for group in lazy_groups():
        defined_with_the_group = {"bench"} if group is lazy_group(cli) else set()
        unlisted = set(group.commands) - set(group.lazy_commands) - defined_with_the_group
        assert unlisted == set(), group.name


# What `export --demo -q` into a local folder has no use for, each with where it does load.
LOCAL_EXPORT_NEVER_LOADS = {
    "worldstate.cli._progress": "replay progress, for event logs over the progress threshold",
    "worldstate.cli._snapshot": "the snapshot command",
    "worldstate.cli._console": "the report, printed without --quiet",
    "worldstate.publish._storage": "the storage provider, for --upload-to",
    "worldstate.publish._report": "the step summary, on GitHub Actions",
    "worldstate.publish._workflow": "workflow commands and step files, on GitHub Actions",
    "worldstate.storage._retry": "retries, for a URL folder's writer",
}


def _local_export_modules(
    out: Path, *, gc_before: str = "", as_entry_point: bool = True
) -> list[str]:
    """The modules loaded by `export --demo -q` into ``out`` in a fresh interpreter, then
    the collector's state as ``gc:<enabled>,<frozen objects>``.  As the entry point, main()
    reads the command line from sys.argv; otherwise it is given the arguments."""
    args = ["export", "--demo", "-q", "--out", str(out)]
    call = "main()" if as_entry_point else f"main({args!r})"
    code = (
        "import gc, sys\n"
        f"{gc_before}"
        f"sys.argv = ['worldstate', *{args!r}]\n"
        "from worldstate.cli import main\n"
        "try:\n"
        f"    {call}\n"
        "except SystemExit as exit:\n"
        "    assert not exit.code, exit.code\n"
        "print(','.join(sorted(sys.modules)))\n"
        "print(f'gc:{gc.isenabled()},{gc.get_freeze_count() > 0}')\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "CI" and not k.startswith("GITHUB_")}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert (out / "ci-artifacts.json").is_file()
    *_, modules, collector = done.stdout.strip().splitlines()
    return [*modules.split(","), collector]


def test_a_local_export_imports_no_optional_machinery(tmp_path: Path) -> None:
    """`export --demo -q` into a folder loads no asyncio, rich, httpx, fsspec, tenacity,
    OpenTelemetry, subprocess or concurrent.futures: they load where they are used (awaiting,
    a terminal report, a webhook or upload, a URL, a retry, metrics, an upload command, a
    background export)."""
    heavy = (
        "asyncio", "rich", "httpx", "fsspec", "tenacity", "opentelemetry", "subprocess",
        "concurrent",
    )  # fmt: skip
    loaded = _local_export_modules(tmp_path / "out")
    assert sorted({m.split(".")[0] for m in loaded if m.split(".")[0] in heavy}) == []


@pytest.mark.parametrize("module", sorted(LOCAL_EXPORT_NEVER_LOADS))
def test_a_local_export_leaves_out_what_only_other_paths_need(tmp_path: Path, module: str) -> None:
    assert module not in _local_export_modules(tmp_path / "out"), LOCAL_EXPORT_NEVER_LOADS[module]


def test_the_command_runs_with_the_collector_on_and_the_loaded_modules_frozen(
    tmp_path: Path,
) -> None:
    """main() pauses the collector only while the command loads."""
    assert _local_export_modules(tmp_path / "out")[-1] == "gc:True,True"


def test_a_collector_turned_off_before_main_stays_off(tmp_path: Path) -> None:
    collector = _local_export_modules(tmp_path / "out", gc_before="gc.disable()\n")[-1]
    assert collector == "gc:False,False"


def test_a_program_calling_main_with_arguments_keeps_its_collector(tmp_path: Path) -> None:
    """Only the process's own entry point pauses and freezes: a host program's objects are
    never frozen by a call of main(argv)."""
    collector = _local_export_modules(tmp_path / "out", as_entry_point=False)[-1]
    assert collector == "gc:True,False"


def test_a_report_off_a_terminal_imports_neither_rich_nor_importlib_resources(
    tmp_path: Path,
) -> None:
    """`export --demo` printing its report into a pipe draws it without rich, and reads the
    bundled playthrough through the package's loader, not importlib.resources."""
    code = (
        "import sys\n"
        "from worldstate.cli import main\n"
        "try:\n"
        f"    main(['export', '--demo', '--out', {str(tmp_path / 'out')!r}])\n"
        "except SystemExit as exit:\n"
        "    assert not exit.code, exit.code\n"
        "loaded = {'rich', 'importlib.resources', 'importlib.readers'} & set(sys.modules)\n"
        "print('loaded:', sorted(loaded))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "CI" and not k.startswith("GITHUB_")}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    lines = done.stdout.strip().splitlines()
    assert lines[0] == "Export OK: 5 artifacts written to 1 folder."
    assert lines[-1] == "loaded: []"
