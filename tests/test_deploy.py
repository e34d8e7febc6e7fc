"""The alert rules and the dashboard in deploy/ (issue 9): promtool checks the rules where it is
installed; everywhere, every caseflow metric they use must exist."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from chain_notify.delivery import NotifyMetrics
from decision.timers import Figures
from planning.metrics import PlanningMetrics
from shared.runtime.metrics import Metrics

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"
ALERTS = DEPLOY / "alerts.yml"
DASHBOARD = DEPLOY / "grafana" / "caseflow-dashboard.json"


def known_metrics() -> set[str]:
    registry = CollectorRegistry()
    Metrics(registry)
    Figures(registry)  # decision's own gauges: the deadline watch and the grant rates
    PlanningMetrics(registry)  # planning's: cases the stages cannot place
    NotifyMetrics(registry)  # chain-notify's: notices sent, held for a fact they need
    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count")}
    return {
        family.name + suffix
        for family in registry.collect()
        for suffix in suffixes.get(family.type, ("",))
    }


def used_metrics(expressions: list[str]) -> set[str]:
    return {m for e in expressions for m in re.findall(r"\bcaseflow_[a-z_]+", e)}


def alert_expressions() -> list[str]:
    return re.findall(r"^\s+expr: (.+)$", ALERTS.read_text(encoding="utf-8"), re.MULTILINE)


def test_the_alert_rules_pass_promtool() -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool is not installed (Debian's prometheus package has it)")
    done = subprocess.run(
        [promtool, "check", "rules", str(ALERTS)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_prometheus_config_passes_promtool_and_scrapes_the_lag_exporter() -> None:
    # The consumer-lag rule reads kafka_consumergroup_lag, which only the exporter has.
    config = (DEPLOY / "prometheus.yml").read_text(encoding="utf-8")
    assert "kafka-exporter:9308" in config
    assert "danielqsj/kafka-exporter" in (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    assert "kafka_consumergroup_lag" in " ".join(alert_expressions())
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool is not installed (Debian's prometheus package has it)")
    done = subprocess.run(
        [promtool, "check", "config", str(DEPLOY / "prometheus.yml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_alert_rules_cover_the_issue_and_use_only_metrics_the_services_export() -> None:
    text = ALERTS.read_text(encoding="utf-8")
    alerts = re.findall(r"^\s+- alert: (\w+)$", text, re.MULTILINE)
    expressions = alert_expressions()
    assert len(expressions) == len(alerts)
    for needed in (
        "CaseflowConsumerStopped",
        "CaseflowOutboxParked",
        "CaseflowOutboxAging",
        "CaseflowConsumerLag",
        "CaseflowParkedFactsOverdue",
        "CaseflowCasesAtRisk",
        "CaseflowDeadlinesBreached",
        "CaseflowCasesUnplaced",
        "CaseflowCourtsNoticeHeld",
    ):
        assert needed in alerts
    assert used_metrics(expressions) - known_metrics() == set()


def test_the_dashboard_shows_the_flow_per_stage_and_stream_from_exported_metrics() -> None:
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    expressions = [t["expr"] for panel in dashboard["panels"] for t in panel["targets"]]
    assert any("stream" in e and "caseflow_events_handled_total" in e for e in expressions)
    assert used_metrics(expressions) - known_metrics() == set()
    assert len({p["id"] for p in dashboard["panels"]}) == len(dashboard["panels"])
