"""Fixtures for store tests."""

from __future__ import annotations

import pytest

from ._helpers import Harness


@pytest.fixture(name="world")
def _world() -> Harness:
    return Harness()
