"""Builds CI run folders (manifest, artifacts, budget file) the way an export leaves them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

STATUSES = ("uploaded", "failed", "partial", "skipped", "uploaded")


def make_run(root: Path, index: int, *, payload: int | None = None) -> Path:
    """Write run ``index`` below ``root``; returns its manifest path."""
    folder = root / f"run-{index:02d}"
    folder.mkdir(parents=True)
    files = {
        f"r{index}-summary-x.json": "x" * (1000 + 250 * index),
        f"r{index}-cascade-targets-x.csv": "y" * (300 + 40 * index),
    }
    budget: dict[str, Any] = {
        "status": "exceeds_budget" if payload and payload > 12288 else "within_budget",
        "payloadBytes": payload,
        "budgetBytes": 12288,
    }
    files[f"r{index}-budget-status.json"] = json.dumps(budget)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    manifest = {
        "generatedAt": 1761843600000 + index * 3_600_000,
        "generatedIso": "ignored when generatedAt is usable",
        "dryRun": False,
        # Recorded on another machine (a CI runner): found beside the manifest instead.
        "artifacts": [{"filepath": f"/runner/work/{n}", "filename": n} for n in files],
        "context": {"runId": f"run-{index}", "prefix": f"r{index}"},
        "fallbackSummary": {"attempted": False, "attempts": 0, "providers": {}},
        "commandResults": [{"provider": "command", "status": "succeeded", "exitCode": 0}],
        "providerResults": [
            {"provider": "githubActionsApi", "status": STATUSES[index % len(STATUSES)]}
        ],
    }
    path = folder / "ci-artifacts.json"
    path.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return path
