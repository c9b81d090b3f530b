"""The code base stays lint-, format- and type-clean: ruff and mypy run as part of the suite."""

from __future__ import annotations

import subprocess
import sys

from tests._paths import REPO_ROOT


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=REPO_ROOT, capture_output=True, text=True, check=False)


class TestQuality:
    def test_ruff_lint_is_clean(self) -> None:
        """`ruff check` reports nothing on src and tests."""
        result = _run(sys.executable, "-m", "ruff", "check", "src", "tests")
        assert result.returncode == 0, result.stdout + result.stderr

    def test_ruff_format_is_clean(self) -> None:
        """`ruff format --check` finds nothing to reformat."""
        result = _run(sys.executable, "-m", "ruff", "format", "--check", "src", "tests")
        assert result.returncode == 0, result.stdout + result.stderr

    def test_mypy_strict_is_clean(self) -> None:
        """`mypy` (strict, configured in pyproject.toml) finds no errors in src."""
        result = _run(sys.executable, "-m", "mypy")
        assert result.returncode == 0, result.stdout + result.stderr
