"""The artifact upload benchmark: our client and the official Node client, side by side.

Both upload the same incompressible file through one artifact service (the in-process Twirp
server) to Azurite's block-blob storage on 127.0.0.1.  Rounds alternate (ours, official,
ours, ...), each round in a fresh folder with a new artifact name, so neither side profits
from warm caches the other paid for.  Throughput is the input size over the upload's time
(zip, blocks, commit and finalize; the Node process's start-up is not counted).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from random import Random

import httpx
import msgspec

from worldstate.errors import ConfigurationError
from worldstate.publish.github import ArtifactClient
from worldstate.publish.github.testing import (
    Azurite,
    AzuriteStore,
    PeerUnavailableError,
    ResultsServer,
    ensure_node_peers,
    runtime_env,
)

__all__ = ["UploadBenchReport", "UploadTiming", "parse_size", "run_upload_bench"]

_SIZE = re.compile(r"(?i)\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|kib|mib|gib)?\s*")
_UNITS = {"b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "kib": 2**10, "mib": 2**20, "gib": 2**30}
_OFFICIAL_SCRIPT = "upload-official.mjs"


class UploadTiming(msgspec.Struct, frozen=True):
    """One client's rounds: seconds per round, and MB/s (10^6 bytes) of the best and the mean."""

    client: str
    seconds: tuple[float, ...]
    best_mb_s: float
    mean_mb_s: float


class UploadBenchReport(msgspec.Struct, frozen=True):
    """Both clients' timings for one file size and compression level."""

    size_bytes: int
    compression_level: int
    rounds: int
    ours: UploadTiming
    official: UploadTiming | None


def parse_size(text: str) -> int:
    """``200MB`` -> 200000000 (B, KB, MB, GB decimal; KiB, MiB, GiB binary).

    Raises:
        ConfigurationError: not a size.
    """
    match = _SIZE.fullmatch(text)
    if not match:
        raise ConfigurationError(f"--size: {text!r} is not a size such as 200MB or 64MiB")
    return int(float(match.group(1)) * _UNITS[(match.group(2) or "b").lower()])


def run_upload_bench(
    *,
    size: int,
    rounds: int,
    compression_level: int,
    peers_package: Path,
    cache: Path,
    official: bool = True,
    timer: Callable[[], float] = time.perf_counter,
) -> UploadBenchReport:
    """Start Azurite and the service, then time ``rounds`` uploads per client, alternating.

    Raises:
        ConfigurationError: Node.js, the npm peers or Azurite cannot be had (says how).
    """
    try:
        node_dir = ensure_node_peers(peers_package, cache)
        azurite = Azurite(node_dir, memory_limit_mb=max(1024, 3 * size // 10**6)).start()
    except PeerUnavailableError as exc:
        raise ConfigurationError(f"bench upload needs its peers: {exc}") from exc
    # Node resolves @actions/artifact next to the script, so it runs from the install folder.
    shutil.copy2(peers_package / _OFFICIAL_SCRIPT, node_dir / _OFFICIAL_SCRIPT)
    ours: list[float] = []
    theirs: list[float] = []
    try:
        with (
            httpx.Client() as http,
            ResultsServer(
                AzuriteStore(azurite.blob_endpoint, container="bench", http=http)
            ) as service,
        ):
            env = runtime_env(service.url)
            for index in range(rounds):
                ours.append(_time_ours(env, size, index, compression_level, timer))
                if official:
                    theirs.append(_time_official(env, node_dir, size, index, compression_level))
    finally:
        azurite.stop()
    return UploadBenchReport(
        size_bytes=size,
        compression_level=compression_level,
        rounds=rounds,
        ours=_timing("worldstate", size, ours),
        official=_timing("@actions/artifact", size, theirs) if official else None,
    )


def _fresh_file(size: int, seed: int) -> tuple[Path, Path]:
    folder = Path(tempfile.mkdtemp(prefix="bench-upload-"))
    path = folder / "payload.bin"
    generator = Random(seed)
    with path.open("wb") as sink:
        left = size
        while left:
            chunk = min(left, 8 * 2**20)
            sink.write(generator.randbytes(chunk))
            left -= chunk
    return folder, path


def _time_ours(
    env: dict[str, str], size: int, index: int, level: int, timer: Callable[[], float]
) -> float:
    folder, path = _fresh_file(size, index)
    try:
        with ArtifactClient(env, mask=lambda _: None) as client:
            started = timer()
            client.upload(f"ours-{index}", [path], root=folder, compression_level=level)
            return timer() - started
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _time_official(env: dict[str, str], node_dir: Path, size: int, index: int, level: int) -> float:
    folder, path = _fresh_file(size, index)
    script = node_dir / _OFFICIAL_SCRIPT
    try:
        completed = subprocess.run(
            ["node", str(script), f"official-{index}", str(path), str(folder), str(level)],
            cwd=node_dir,
            env={**os.environ, **env},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=1800,
            check=False,
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if completed.returncode != 0:
        raise ConfigurationError(
            f"the official client failed ({completed.returncode}): {completed.stderr[-2000:]}"
        )
    line = next(text for text in completed.stdout.splitlines() if text.startswith("{"))
    return float(json.loads(line)["seconds"])


def _timing(client: str, size: int, seconds: list[float]) -> UploadTiming:
    return UploadTiming(
        client=client,
        seconds=tuple(seconds),
        best_mb_s=size / 1e6 / min(seconds),
        mean_mb_s=size / 1e6 / (sum(seconds) / len(seconds)),
    )
