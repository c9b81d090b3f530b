"""Real peers the artifact tests and benchmark run against: Node packages and Azurite.

The Node packages are pinned by a ``package.json`` and ``package-lock.json`` in the
repository; :func:`ensure_node_peers` installs them with ``npm ci`` into a cache folder keyed
by the lock file, once.  :class:`Azurite` runs the Azure Storage emulator's blob service on
127.0.0.1, in memory, on a free port.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Final

__all__ = ["PeerUnavailableError", "ensure_node_peers", "Azurite", "NODE_HINT"]

NODE_HINT: Final = (
    "install Node.js 18 or newer with npm (Debian: apt-get install nodejs npm); "
    "the tests install their npm packages themselves"
)
_LISTENING: Final = re.compile(r"successfully listens on (http://127\.0\.0\.1:\d+)")
_NPM_TIMEOUT_S: Final = 900


class PeerUnavailableError(RuntimeError):
    """A peer the tests need cannot be had; the message says how to get it."""


def ensure_node_peers(
    package_dir: Path, cache_root: Path, *, which: Callable[[str], str | None] = shutil.which
) -> Path:
    """The folder holding ``node_modules`` for ``package_dir``'s lock file, installed if needed.

    Args:
        which: finds a program on PATH (``shutil.which``).

    Raises:
        PeerUnavailableError: node or npm is missing, or ``npm ci`` failed (its output is kept).
    """
    for tool in ("node", "npm"):
        if which(tool) is None:
            raise PeerUnavailableError(f"{tool} is not on PATH: {NODE_HINT}")
    lock = (package_dir / "package-lock.json").read_bytes()
    target = cache_root.absolute() / f"node-peers-{hashlib.sha256(lock).hexdigest()[:16]}"
    if (target / "node_modules" / ".package-lock.json").exists():
        return target
    cache_root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".node-peers-", dir=cache_root))
    for name in ("package.json", "package-lock.json"):
        shutil.copy2(package_dir / name, staging / name)
    completed = subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=staging,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=_NPM_TIMEOUT_S,
        check=False,
    )
    if completed.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        raise PeerUnavailableError(
            f"npm ci in a copy of {package_dir} failed ({completed.returncode}): "
            f"{completed.stderr.strip()[-2000:]}"
        )
    try:
        staging.rename(target)
    except OSError:  # another process installed it first
        shutil.rmtree(staging, ignore_errors=True)
    return target


class Azurite:
    """Azurite's blob service, in memory, on a free port of 127.0.0.1.

    Args:
        node_dir: a folder whose ``node_modules`` has ``azurite``.
        memory_limit_mb: how much data it may hold.
    """

    def __init__(self, node_dir: Path, *, memory_limit_mb: int = 2048) -> None:
        self._command = [
            str(node_dir.absolute() / "node_modules" / ".bin" / "azurite-blob"),
            "--blobHost", "127.0.0.1",
            "--blobPort", "0",
            "--inMemoryPersistence",
            "--extentMemoryLimit", str(memory_limit_mb),
            "--disableTelemetry",
            "--skipApiVersionCheck",
            "--silent",
        ]  # fmt: skip
        self._process: subprocess.Popen[bytes] | None = None
        self._workdir: Path | None = None
        self.url = ""

    @property
    def blob_endpoint(self) -> str:
        """The development account's blob endpoint."""
        return f"{self.url}/devstoreaccount1"

    def start(self, *, timeout_s: float = 60.0, env: Mapping[str, str] | None = None) -> Azurite:
        """Start it and wait until it listens.

        Raises:
            PeerUnavailableError: it is not installed, exited, or did not listen in time.
        """
        if not Path(self._command[0]).exists():
            raise PeerUnavailableError(f"azurite is not installed at {self._command[0]}")
        self._workdir = Path(tempfile.mkdtemp(prefix="azurite-"))
        log = self._workdir / "azurite.log"
        with log.open("w") as sink:
            self._process = subprocess.Popen(
                self._command,
                cwd=self._workdir,
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
                env={**os.environ, **(env or {})},
            )
        found = _wait_for_listening(self._process, log, timeout_s)
        if found is None:
            output = log.read_text(errors="replace")[-1000:]
            self.stop()
            raise PeerUnavailableError(
                f"azurite did not start listening within {timeout_s:g} s: {output}"
            )
        self.url = found
        return self

    def stop(self) -> None:
        """Stop it (its data goes with it)."""
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    def __enter__(self) -> Azurite:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _wait_for_listening(
    process: subprocess.Popen[bytes], log: Path, timeout_s: float
) -> str | None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and process.poll() is None:
        match = _LISTENING.search(log.read_text(errors="replace"))
        if match:
            return match.group(1)
        time.sleep(0.05)
    return None
