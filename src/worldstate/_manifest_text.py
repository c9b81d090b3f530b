"""The manifest's file name and the provider section's fixed text, shared by the publish step
summary and the ``worldstate report providers`` report (which must read the same).

Kept apart from :mod:`worldstate.publish` so the reports can use it without importing the
publishing machinery.
"""

from __future__ import annotations

from typing import Final

__all__ = ["MANIFEST_FILENAME", "NO_PROVIDER_RESULTS", "PROVIDERS_HEADING"]

MANIFEST_FILENAME: Final = "ci-artifacts.json"
"""The manifest of record a publish writes (and a folder argument of the reports stands for)."""

PROVIDERS_HEADING: Final = "## Telemetry Provider Uploads"
"""The heading of the provider section (reference format)."""

NO_PROVIDER_RESULTS: Final = (
    f"No provider results recorded in `{MANIFEST_FILENAME}`.",
    "",
    "Ensure telemetry commands executed after export (e.g., GitHub uploads) and that "
    "metrics persistence is enabled.",
)
"""The provider section's lines, after the heading, when no upload was recorded."""
