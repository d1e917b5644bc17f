"""The sweeper reports the overdue work it found as a metric; the cloud alarms on it (infra/monitoring.py).
On the in-memory unit of work (tests/fakes.py): the metric is the service's, whatever the store."""
from __future__ import annotations

import json

from chalicelib.services import sweeper


def _emf(out: str, metric: str) -> list[dict]:
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{") and '"_aws"' in line]
    return [line for line in lines if metric in line]


def test_sweep_emits_overdue_found_with_the_dimensions_the_cloud_alarm_uses(fake, capsys, monkeypatch):
    from infra.config import chalice_stage

    # What Lambda has in the cloud stages (.chalice/config.json); the alarm matches these dimensions exactly.
    service = chalice_stage("dev")["environment_variables"]["POWERTOOLS_SERVICE_NAME"]
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", service)
    monkeypatch.setattr(sweeper, "EXTRA_SWEEPS", [lambda now: {"legs_overdue": 2, "tickets_escalated": 1}])
    counts = sweeper.sweep()
    assert counts["legs_overdue"] == 2
    (metric,) = _emf(capsys.readouterr().out, "OverdueFound")
    assert metric["OverdueFound"] == [2.0]  # overdue cases (none) + overdue legs; escalations are not overdue
    assert metric["stage"] == "local"
    (definition,) = metric["_aws"]["CloudWatchMetrics"]
    assert definition["Namespace"] == "CrossCityService"
    assert set(definition["Dimensions"][0]) == {"stage", "service"}
    assert metric["service"] == "cross-city"
