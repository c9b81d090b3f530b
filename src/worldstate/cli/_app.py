"""The ``worldstate`` click group and the one place where exceptions become exit codes.

Exit codes: 0 success, 1 the job ran but failed (a writer failed, a save could not be
written, standard output could not be written), 2 usage errors and bad input (click's own
usage errors use 2 as well).

Standard streams are handled here too, once for every command:

* a reader that stops early (``worldstate snapshot ... | head -c 10``) is not an error: one
  line on stderr says the rest of the output was dropped, exit 0;
* standard output that cannot be written (full, ``> /dev/full``; closed, ``>&-``) is a failed
  job: one line, exit 1;
* a closed standard input (``<&-``) reads as an error naming ``<stdin>`` (exit 2 for an event
  log), never as a crash.

Every message printed here is scrubbed of secrets first (:meth:`Redactor.scrub`), and so is
every log line.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import io
import os
import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Final, NoReturn

import click

if TYPE_CHECKING:
    from worldstate.redact import Redactor

from worldstate.cli._lazy import LazyGroup
from worldstate.errors import (
    ConfigurationError,
    InputError,
    SlotNotFoundError,
    WorldstateError,
)

__all__ = [
    "BadInput",
    "JobFailed",
    "cli",
    "bench",
    "echo_replay_problems",
    "pause_collector_until_the_command_runs",
    "EXIT_OK",
    "EXIT_FAILED",
    "EXIT_BAD_INPUT",
]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2


class BadInput(click.ClickException):
    """Bad input or options: printed as ``Error: ...``, exit code 2."""

    exit_code = EXIT_BAD_INPUT


class JobFailed(click.ClickException):
    """The command ran but its job failed: printed as ``Error: ...``, exit code 1."""

    exit_code = EXIT_FAILED


def translate(exc: WorldstateError) -> click.ClickException:
    """Map a worldstate exception to the click exception carrying its exit code."""
    if isinstance(exc, InputError | ConfigurationError | SlotNotFoundError):
        return BadInput(str(exc))
    return JobFailed(str(exc))


class _ClosedStream(io.RawIOBase):
    """Stands in for a standard stream the process was started without (``<&-``, ``>&-``).

    Python leaves ``sys.stdin``/``sys.stdout`` as ``None`` then, and writing to ``None``
    through click silently drops the output; this stream fails every read and write instead.
    """

    def __init__(self, name: str) -> None:
        super().__init__()
        self._name = name

    @property
    def buffer(self) -> _ClosedStream:
        return self

    @property
    def encoding(self) -> str:
        return "utf-8"

    def _closed(self) -> NoReturn:
        raise OSError(errno.EBADF, f"standard {self._name} is closed")

    def readable(self) -> bool:
        return self._name == "input"

    def writable(self) -> bool:
        return self._name == "output"

    def readinto(self, buffer: Any) -> int:
        self._closed()

    def readline(self, size: int | None = -1) -> bytes:
        self._closed()

    def write(self, data: Any) -> int:
        self._closed()


def _stand_in_for_closed_streams() -> None:
    if sys.stdin is None:
        sys.stdin = _ClosedStream("input")
    if sys.stdout is None:
        sys.stdout = _ClosedStream("output")


def _silence_stdout() -> None:
    """Point file descriptor 1 at /dev/null so the interpreter's final flush cannot fail."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        fileno = sys.stdout.fileno()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fileno)
        os.close(devnull)


def echo_replay_problems(source: str, problems: Iterable[str]) -> None:
    """Print each sentence of a replay's problem report on standard error, naming ``source``."""
    for line in problems:
        click.echo(f"warning: {source}: {line}", err=True)


def _say(line: str) -> None:
    # stderr may be gone as well; there is nobody left to tell then.
    with contextlib.suppress(OSError, ValueError, AttributeError):
        click.echo(line, err=True)


def _stdout_failure(exc: OSError) -> int:
    """One line for an output stream that failed, and the exit code that goes with it."""
    _silence_stdout()
    if exc.errno == errno.EPIPE:
        _say("worldstate: the reader closed standard output early; the rest was not printed")
        return EXIT_OK
    reason = exc.strerror or str(exc)
    _say(f"Error: cannot write to standard output: {reason}")
    return EXIT_FAILED


_STREAM_ERRNOS: Final = (errno.EPIPE, errno.ENOSPC, errno.EBADF, errno.EIO)


class _StreamFailed(Exception):
    """Carries a stream error past click, which would swallow a broken pipe as exit 0."""

    def __init__(self, error: OSError) -> None:
        super().__init__(str(error))
        self.error = error


class _TranslatingGroup(LazyGroup):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except WorldstateError as exc:
            raise translate(exc) from exc
        except OSError as exc:
            if exc.errno not in _STREAM_ERRNOS:
                raise
            raise _StreamFailed(exc) from exc

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the command; in standalone mode every ending becomes one line and an exit code."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        sys.exit(self._run(args, prog_name, complete_var, **extra))

    def _run(
        self,
        args: Sequence[str] | None,
        prog_name: str | None,
        complete_var: str | None,
        **extra: Any,
    ) -> int:
        _stand_in_for_closed_streams()
        try:
            _refuse_nul_bytes(args)
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
            sys.stdout.flush()  # a full disk shows here, not in the interpreter's last flush
        except click.ClickException as exc:
            # the edge: the only place the CLI's messages are built
            exc.message = _environment_redactor().scrub(exc.message)  # type: ignore[misc]
            with contextlib.suppress(OSError, ValueError):
                exc.show()
            return exc.exit_code
        except click.exceptions.Abort:
            _say("Aborted!")
            return EXIT_FAILED
        except _StreamFailed as failed:
            return _stdout_failure(failed.error)
        except OSError as exc:
            if exc.errno not in _STREAM_ERRNOS:
                raise
            return _stdout_failure(exc)
        return result if isinstance(result, int) else EXIT_OK


_collector_paused = False


def pause_collector_until_the_command_runs() -> None:
    """Pause the cyclic garbage collector until the command's own code starts (for the
    process's entry point, :func:`worldstate.cli.main`, only).

    Loading a command creates tens of thousands of long-lived objects (classes, functions,
    their dictionaries) and next to no garbage, yet the collector would scan them again and
    again while the modules load (about 8 ms of a local ``export --demo``).  When the command
    starts they are frozen, so the collector never scans them again, and it resumes for what
    the command itself allocates.  A collector that was already off stays off.
    """
    global _collector_paused
    if gc.isenabled():
        gc.disable()
        _collector_paused = True


def _resume_collector() -> None:
    global _collector_paused
    if _collector_paused:
        _collector_paused = False
        gc.freeze()
        gc.enable()


def _environment_redactor() -> Redactor:
    from worldstate.redact import Redactor  # only when a message is printed or a command runs

    return Redactor(os.environ)


def _refuse_nul_bytes(args: Sequence[str] | None) -> None:
    """A NUL byte cannot be part of a path or name (click's path checks would crash on it)."""
    for index, arg in enumerate(args or ()):
        if "\x00" in arg:
            option = next((a for a in reversed(list(args or ())[:index]) if a.startswith("-")), "")
            where = f"the value of {option}" if option else f"argument {index + 1}"
            raise BadInput(f"{where} contains a NUL byte, which no file name or value may hold")


@click.group(cls=_TranslatingGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="worldstate")
@click.option(
    "-v", "--verbose", count=True, help="Log more to stderr (-v warnings, -vv info, -vvv debug)."
)
def cli(verbose: int) -> None:
    """World-state store, saves and inspector telemetry for narrative games."""
    _resume_collector()  # the command is loaded (a bench command is loaded after this)
    # Commands report expected failures themselves (exit code and message); by default only
    # errors with tracebacks (a writer or handler that raised) are logged on top of that.
    # Imported here: `worldstate --help` never runs this and so never loads logging.
    from worldstate.cli._logging import configure_logging

    configure_logging(verbose, _environment_redactor())


@cli.group(cls=_TranslatingGroup)
def bench() -> None:
    """Benchmarks: store dispatch, replay, writer fan-out, saves."""
