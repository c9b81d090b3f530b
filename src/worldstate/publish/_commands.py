"""Command providers: the upload commands a user configures, parsed and run safely.

A command is the user's own program (``aws s3 cp …``, ``buildkite-agent artifact upload …``).
It is never run through a shell: strings are split with shell-style quoting, JSON arrays are
argv lists.  Every run has a timeout (the whole process group is killed when it expires),
bounded output capture, and a record of how it ended, a signal included.
"""

from __future__ import annotations

import errno
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Final, Protocol

import msgspec

from worldstate.errors import ConfigurationError
from worldstate.jsonfile import loads_strict
from worldstate.publish._model import (
    COMMAND_PROVIDER,
    UploadContext,
    UploadResult,
    UploadStatus,
)
from worldstate.redact import Redactor

if TYPE_CHECKING:
    import subprocess

# shlex, signal and subprocess are imported where a command is parsed or run: an export
# without upload commands (every local export) never loads them.

__all__ = [
    "COMMAND_PROVIDER",
    "COMMAND_VARIABLES",
    "COMMANDS_PATH_VARIABLE",
    "DEFAULT_COMMAND_TIMEOUT",
    "OUTPUT_READ_LIMIT",
    "OUTPUT_KEEP_LIMIT",
    "EXIT_NOT_FOUND",
    "CommandSpec",
    "CommandOutcome",
    "CommandRunner",
    "SubprocessRunner",
    "CommandUploader",
    "parse_commands",
    "resolve_commands",
    "keep_output",
]

COMMAND_VARIABLES: Final = ("TELEMETRY_CI_COMMANDS", "TELEMETRY_CI_COMMANDS_JSON")
"""Environment variables holding commands, after ``--ci-command`` and before the file."""
COMMANDS_PATH_VARIABLE: Final = "TELEMETRY_CI_COMMANDS_PATH"
DEFAULT_COMMAND_TIMEOUT: Final = 300.0
OUTPUT_READ_LIMIT: Final = 64 * 1024
"""Bytes of stdout (and of stderr) read from a command; the rest is drained and dropped."""
OUTPUT_KEEP_LIMIT: Final = 2000
"""Characters of stdout/stderr kept in the manifest (an ellipsis marks a cut)."""
EXIT_NOT_FOUND: Final = 127
KILL_GRACE_SECONDS: Final = 2.0
"""How long a timed-out command's process group has between SIGTERM and SIGKILL."""


class CommandSpec(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One configured command (the object form of the JSON configuration).

    Attributes:
        command: the executable (a name looked up on ``PATH``, or a path).
        args: its arguments.
        env: variables added to the job's environment for this command.
        cwd: the folder it runs in (default: the current one).
        timeout: seconds before its process group is killed (default: the run's timeout).
    """

    command: str
    args: tuple[str, ...] = ()
    env: dict[str, str] = msgspec.field(default_factory=dict)
    cwd: str | None = None
    timeout: float | None = None

    @property
    def argv(self) -> list[str]:
        """``[command, *args]``."""
        return [self.command, *self.args]


def parse_commands(text: str, *, source: str) -> list[CommandSpec]:
    """Parse a command configuration.

    Text that is JSON (it starts with ``{`` or ``[``) is a command list: an object is one
    command, an array a list of commands, each a string (split with shell-style quoting), an
    array of strings (argv) or an object ``{"command", "args", "env", "cwd", "timeout"}``.
    Other text is one command per line (blank lines and ``#`` comments are skipped).

    Raises:
        ConfigurationError: malformed JSON, a wrong type, or unbalanced quotes; the message
            names ``source`` and the JSON path or line.
    """
    stripped = text.strip()
    if stripped[:1] in ("{", "["):
        document = loads_strict(stripped, source=source, what="command list")
        entries = document if isinstance(document, list) else [document]
        return [_command_from_json(entry, f"{source} $[{i}]") for i, entry in enumerate(entries)]
    return [
        _split(line.strip(), f"{source} line {number}")
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]


def _command_from_json(entry: object, where: str) -> CommandSpec:
    if isinstance(entry, str):
        return _split(entry, where)
    if isinstance(entry, list) and entry and all(isinstance(a, str) for a in entry):
        return CommandSpec(command=entry[0], args=tuple(entry[1:]))
    if isinstance(entry, dict):
        try:
            spec = msgspec.convert(entry, CommandSpec)
        except msgspec.ValidationError as exc:
            raise ConfigurationError(f"{where}: {exc}") from exc
        if not spec.command.strip():
            raise ConfigurationError(f"{where}: 'command' is empty")
        return spec
    raise ConfigurationError(
        f"{where}: a command must be a string, a non-empty array of strings, "
        'or an object with a "command"'
    )


def _split(text: str, where: str) -> CommandSpec:
    import shlex

    try:
        argv = shlex.split(text)
    except ValueError as exc:
        raise ConfigurationError(f"{where}: cannot split the command: {exc}") from exc
    if not argv:
        raise ConfigurationError(f"{where}: the command is empty")
    return CommandSpec(command=argv[0], args=tuple(argv[1:]))


def resolve_commands(
    cli_commands: Sequence[str],
    env: Mapping[str, str],
    *,
    read_text: Callable[[Path], str] = lambda p: p.read_text("utf-8"),
) -> list[CommandSpec]:
    """The configured commands: the first of ``--ci-command`` values, ``TELEMETRY_CI_COMMANDS``,
    ``TELEMETRY_CI_COMMANDS_JSON`` and the file at ``TELEMETRY_CI_COMMANDS_PATH`` that gives any.

    Raises:
        ConfigurationError: a malformed configuration, or an unreadable commands file.
    """
    if cli_commands:
        return [
            spec for text in cli_commands for spec in parse_commands(text, source="--ci-command")
        ]
    for name in COMMAND_VARIABLES:
        if env.get(name, "").strip():
            return parse_commands(env[name], source=name)
    path = env.get(COMMANDS_PATH_VARIABLE, "").strip()
    if not path:
        return []
    try:
        text = read_text(Path(path))
    except OSError as exc:
        raise ConfigurationError(
            f"{COMMANDS_PATH_VARIABLE}: cannot read {path}: {exc.strerror or exc}"
        ) from exc
    return parse_commands(text, source=path)


class CommandOutcome(msgspec.Struct, frozen=True, kw_only=True):
    """How one process ended, as a :class:`CommandRunner` reports it.

    Attributes:
        exit_code: the exit status (``None`` when killed by a signal or never started).
        stdout: the first :data:`OUTPUT_READ_LIMIT` bytes of stdout, decoded.
        stderr: the same for stderr.
        signal: the signal that ended it, if one did.
        timed_out: whether it was killed because its timeout expired.
        not_found: the executable does not exist or is not executable.
        error: why it could not be started (``OSError`` text), if it was not.
        error_code: the ``errno`` name of that error (``ENOENT``), if any.
        duration_ms: wall time.
    """

    exit_code: int | None = None
    stdout: str = ""
    stderr: str = ""
    signal: int | None = None
    timed_out: bool = False
    not_found: bool = False
    error: str | None = None
    error_code: str | None = None
    duration_ms: float = 0.0


class CommandRunner(Protocol):
    """Runs one program and reports how it ended; never raises for the program's failure."""

    def run(
        self, argv: Sequence[str], *, env: Mapping[str, str], cwd: str | None, timeout: float
    ) -> CommandOutcome:
        """Run ``argv`` (no shell), stdin closed, with ``env`` as its whole environment."""
        ...


class SubprocessRunner:
    """The real :class:`CommandRunner`: a child process in its own process group.

    Args:
        read_limit: bytes read from each of stdout and stderr; further output is drained.
        kill_grace: seconds between SIGTERM and SIGKILL when a timeout expires.
        timer: a monotonic clock in seconds.
    """

    def __init__(
        self,
        *,
        read_limit: int = OUTPUT_READ_LIMIT,
        kill_grace: float = KILL_GRACE_SECONDS,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self._read_limit = read_limit
        self._kill_grace = kill_grace
        self._timer = timer

    def run(
        self, argv: Sequence[str], *, env: Mapping[str, str], cwd: str | None, timeout: float
    ) -> CommandOutcome:
        """Run ``argv``; kill its process group at ``timeout`` seconds."""
        import subprocess

        started = self._timer()
        try:
            process = subprocess.Popen(
                list(argv),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=dict(env),
                cwd=cwd,
                start_new_session=True,  # its own process group: a timeout kills children too
            )
        except OSError as exc:
            return _not_started(exc, argv[0], self._timer() - started)
        readers = [_BoundedReader(stream, self._read_limit) for stream in _pipes(process)]
        timed_out = False
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            self._kill_group(process)
        for reader in readers:
            reader.join(self._kill_grace)
        code = process.returncode
        return CommandOutcome(
            exit_code=code if code is not None and code >= 0 else None,
            stdout=readers[0].text(),
            stderr=readers[1].text(),
            signal=-code if code is not None and code < 0 else None,
            timed_out=timed_out,
            duration_ms=round((self._timer() - started) * 1000, 3),
        )

    def _kill_group(self, process: subprocess.Popen[bytes]) -> None:
        import signal
        import subprocess

        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                break
            try:
                process.wait(timeout=self._kill_grace)
                if sig is signal.SIGTERM:
                    # The leader is gone; SIGKILL whatever it left in the group.
                    os.killpg(process.pid, signal.SIGKILL)
                break
            except subprocess.TimeoutExpired:
                continue
            except ProcessLookupError:
                break
        if process.returncode is None:
            process.wait()


def _pipes(process: subprocess.Popen[bytes]) -> tuple[IO[bytes], IO[bytes]]:
    assert process.stdout is not None and process.stderr is not None  # both are PIPE
    return process.stdout, process.stderr


def _not_started(exc: OSError, program: str, elapsed: float) -> CommandOutcome:
    # A missing or non-executable program; a bad cwd is a failure, not a missing command.
    missing = isinstance(exc, FileNotFoundError | PermissionError) and exc.filename == program
    return CommandOutcome(
        exit_code=EXIT_NOT_FOUND if missing else None,
        not_found=missing,
        error=f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc),
        error_code=errno.errorcode.get(exc.errno) if exc.errno else None,
        duration_ms=round(elapsed * 1000, 3),
    )


class _BoundedReader:
    """Reads a pipe on a thread, keeping the first ``limit`` bytes and draining the rest."""

    def __init__(self, stream: IO[bytes], limit: int) -> None:
        self._stream = stream
        self._limit = limit
        self._chunks: list[bytes] = []
        self._kept = 0
        self._thread = threading.Thread(target=self._drain, daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        with self._stream:
            while chunk := self._stream.read1(65536):  # type: ignore[attr-defined]
                room = self._limit - self._kept
                if room > 0:
                    self._chunks.append(chunk[:room])
                    self._kept += min(room, len(chunk))

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)

    def text(self) -> str:
        return b"".join(self._chunks).decode("utf-8", errors="replace")


REDACTION_LOOKAHEAD: Final = 256
"""Characters past the cut that are still redacted with their line, so that a secret
straddling the cut is recognised whole (and its line replaced) instead of kept in part."""


def keep_output(text: str, redactor: Redactor, limit: int = OUTPUT_KEEP_LIMIT) -> str:
    """``text`` redacted line by line, then cut to ``limit`` characters (``…`` marks a cut).

    Only the lines that can appear in the result are redacted (a 64 KiB line of output would
    make the URL rules slow), each cut :data:`REDACTION_LOOKAHEAD` characters past the limit.
    """
    kept: list[str] = []
    used = consumed = 0
    for line in text.splitlines(keepends=True):
        if used >= limit:
            break
        piece = line[: limit - used + REDACTION_LOOKAHEAD]
        consumed += len(piece)
        redacted = _redact_line(piece, redactor)
        kept.append(redacted)
        used += len(redacted)
    result = "".join(kept)
    if len(result) <= limit and consumed == len(text):
        return result
    return result[:limit] + "\u2026"


def _redact_line(line: str, redactor: Redactor) -> str:
    body = line.rstrip("\r\n")
    redacted = redactor(body)
    return line if redacted == body else redacted + line[len(body) :]


class CommandUploader:
    """A configured command as an :class:`~worldstate.publish.Uploader` (provider ``command``).

    The command runs with the job's environment plus its own ``env``, and receives
    ``CI_ARTIFACT_METADATA`` (the manifest path) and ``TELEMETRY_ARTIFACT_DIR`` (the artifact
    folder) unless its ``env`` sets them.  A missing executable is ``skipped`` /
    ``command_not_found`` with exit code 127; a non-zero exit or a signal is ``failed``; an
    expired timeout is ``timeout``.

    Args:
        spec: the command.
        runner: runs it.
        redactor: redacts its output before it is kept.
        clock: "now" in ms, for ``attemptedAt``.
        timeout: seconds, when the spec gives none.
    """

    provider = COMMAND_PROVIDER

    def __init__(
        self,
        spec: CommandSpec,
        *,
        runner: CommandRunner,
        redactor: Redactor,
        clock: Callable[[], int],
        timeout: float = DEFAULT_COMMAND_TIMEOUT,
    ) -> None:
        self.spec = spec
        self._runner = runner
        self._redactor = redactor
        self._clock = clock
        self._timeout = timeout

    def upload(
        self, files: Sequence[Path], *, root: Path, name: str, context: UploadContext
    ) -> UploadResult:
        """Run the command once; the files are found through the variables it receives."""
        from worldstate._js import iso_from_ms

        attempted_at = iso_from_ms(self._clock())
        env = {
            **context.env,
            "CI_ARTIFACT_METADATA": str(context.manifest_path),
            "TELEMETRY_ARTIFACT_DIR": str(root),
            **self.spec.env,
        }
        timeout = self.spec.timeout if self.spec.timeout is not None else self._timeout
        outcome = self._runner.run(self.spec.argv, env=env, cwd=self.spec.cwd, timeout=timeout)
        return UploadResult(
            provider=self.provider,
            status=_status(outcome),
            attempted_at=attempted_at,
            # A token passed on the command line is a secret too.
            command=self._redactor(self.spec.command),
            args=tuple(self._redactor(list(self.spec.args))),
            exit_code=outcome.exit_code,
            stdout=keep_output(outcome.stdout, self._redactor),
            stderr=keep_output(outcome.stderr, self._redactor),
            skipped_reason="command_not_found" if outcome.not_found else None,
            error_message=self._redactor(_error_message(outcome, timeout)),
            error_code=outcome.error_code,
            duration_ms=0.0 if outcome.not_found else outcome.duration_ms,
            artifact_name=name,
            artifact_dir=str(root),
            files=tuple(str(f) for f in files),
            is_fallback=context.is_fallback,
            signal=outcome.signal,
        )


def _status(outcome: CommandOutcome) -> UploadStatus:
    if outcome.not_found:
        return UploadStatus.SKIPPED
    if outcome.timed_out:
        return UploadStatus.TIMEOUT
    return UploadStatus.UPLOADED if outcome.exit_code == 0 else UploadStatus.FAILED


def _error_message(outcome: CommandOutcome, timeout: float) -> str | None:
    if outcome.error is not None:
        return outcome.error
    if outcome.timed_out:
        return f"timed out after {timeout:g} s; its process group was killed"
    if outcome.signal is not None:
        return f"killed by signal {_signal_name(outcome.signal)}"
    if outcome.exit_code:
        return f"exited with code {outcome.exit_code}"
    return None


def _signal_name(number: int) -> str:
    import signal

    try:
        return signal.Signals(number).name
    except ValueError:
        return str(number)
