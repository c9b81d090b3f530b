"""Prints how many fuzz cases ran, per target, at the end of the session."""

from __future__ import annotations

import pytest
from tests.fuzz._harness import CASES


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if CASES:
        total = sum(CASES.values())
        parts = ", ".join(f"{name} {count}" for name, count in sorted(CASES.items()))
        terminalreporter.write_line(f"fuzz: {total} cases ({parts})")
