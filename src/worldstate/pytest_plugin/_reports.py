"""Attaching a test's telemetry to the reports other plugins write.

* JUnit XML: one ``[[ATTACHMENT|<absolute path>]]`` line per artifact in the test's captured
  stdout (the Jenkins junit-attachments convention; pytest writes it into ``<system-out>`` with
  ``-o junit_logging=system-out``), and session properties with the recorder
  ``record_testsuite_property`` uses (suite level, so valid under ``junit_family=xunit2``).
* pytest-html >= 4: the summary as a JSON extra and a link per artifact.
* allure-pytest: each artifact attached with its MIME type, and the summary as JSON.

Each integration runs only when its plugin is active for the run (``--junitxml``, ``--html``,
``--alluredir``); none of these plugins is imported otherwise.
"""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path, PurePath
from typing import Any, Final
from urllib.parse import quote

import pytest

from worldstate.pytest_plugin._state import ArtifactFile

__all__ = [
    "SUMMARY_NAME",
    "attachment_lines",
    "html_extras",
    "attach_to_allure",
    "html_report_dir",
    "allure_active",
    "junit_suite_recorder",
]

SUMMARY_NAME: Final = "worldstate summary"


def attachment_lines(artifacts: Sequence[ArtifactFile]) -> str:
    """The Jenkins attachment markers, one line per artifact."""
    return "".join(f"[[ATTACHMENT|{artifact.path}]]\n" for artifact in artifacts)


def html_report_dir(config: pytest.Config) -> Path | None:
    """The folder of the pytest-html report when ``--html`` is given, else ``None``."""
    target = getattr(config.option, "htmlpath", None)
    if not target:
        return None
    # pytest-html resolves the report path against the working directory.
    return (Path.cwd() / os.path.expandvars(str(target))).expanduser().parent


def html_extras(
    report_dir: Path, artifacts: Sequence[ArtifactFile], summaries: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """pytest-html extras: each summary as JSON, then a link per artifact.

    Links are relative to the report's folder, so the report and the telemetry folder can be
    archived together.
    """
    extras = importlib.import_module("pytest_html.extras")
    found: list[dict[str, Any]] = [
        extras.json(dict(summary), name=SUMMARY_NAME) for summary in summaries
    ]
    found.extend(
        extras.url(_relative_url(Path(a.path), report_dir), name=a.filename) for a in artifacts
    )
    return found


def _relative_url(path: Path, start: Path) -> str:
    try:
        relative = os.path.relpath(path, start)
    except ValueError:  # another drive on Windows
        return path.as_uri()
    return quote(PurePath(relative).as_posix())


def allure_active(config: pytest.Config) -> bool:
    """Whether allure-pytest writes results in this run (``--alluredir``)."""
    return bool(getattr(config.option, "allure_report_dir", None))


def attach_to_allure(
    artifacts: Sequence[ArtifactFile], summaries: Sequence[Mapping[str, Any]]
) -> None:
    """Attach the summaries (JSON) and every artifact, with its MIME type, to the current test."""
    allure = importlib.import_module("allure")
    for summary in summaries:
        allure.attach(
            json.dumps(summary, indent=2, ensure_ascii=False),
            name=SUMMARY_NAME,
            attachment_type="application/json",
            extension="json",
        )
    for artifact in artifacts:
        allure.attach.file(
            artifact.path,
            name=artifact.filename,
            attachment_type=artifact.mime_type,
            extension=PurePath(artifact.path).suffix.lstrip("."),
        )


def junit_suite_recorder(config: pytest.Config) -> Callable[[str, object], None] | None:
    """The function ``record_testsuite_property`` returns, or ``None`` without ``--junitxml``.

    The session's end has no fixtures (and an xdist controller none at all), so it is taken from
    the junitxml plugin the way that fixture takes it.
    """
    junitxml = config.pluginmanager.getplugin("junitxml")
    xml_key = getattr(junitxml, "xml_key", None)
    if xml_key is None:
        return None
    xml = config.stash.get(xml_key, None)
    if xml is None:
        return None
    recorder: Callable[[str, object], None] = xml.add_global_property
    return recorder
