"""Which OpenTelemetry signals `worldstate export` turns on, read from the environment."""

from __future__ import annotations

import pytest

from worldstate.cli._export import otel_signal_requested


@pytest.mark.parametrize(
    ("env", "metrics", "traces"),
    [
        ({}, False, False),
        ({"OTEL_METRICS_EXPORTER": "otlp"}, True, False),
        ({"OTEL_TRACES_EXPORTER": "console"}, False, True),
        ({"OTEL_METRICS_EXPORTER": "none", "OTEL_TRACES_EXPORTER": " None "}, False, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}, True, True),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://127.0.0.1:4318"}, False, True),
        (
            {
                "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318",
                "OTEL_TRACES_EXPORTER": "none",
            },
            True,
            False,
        ),
    ],
)
def test_signals_follow_the_standard_variables(
    env: dict[str, str], metrics: bool, traces: bool
) -> None:
    assert otel_signal_requested(env, "metrics") is metrics
    assert otel_signal_requested(env, "traces") is traces
