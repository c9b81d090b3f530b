"""Shared fixtures: where the golden files and benchmark workloads live."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
GOLDENS = REPO_ROOT / "tests" / "goldens"
WORKLOADS = REPO_ROOT / "benchmarks" / "workloads"
REPLAY_GOLDENS = sorted(p for p in (GOLDENS / "replay").iterdir() if p.is_dir())
EXPORTER_GOLDENS = sorted(p for p in (GOLDENS / "exporter").iterdir() if p.is_dir())


@pytest.fixture(name="goldens_dir")
def _goldens_dir() -> Path:
    return GOLDENS


@pytest.fixture(name="workloads_dir")
def _workloads_dir() -> Path:
    return WORKLOADS
