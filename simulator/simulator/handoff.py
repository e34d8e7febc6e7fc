"""What a run leaves behind for whoever shows it (the progress page, issue 17): planning's own
monthly figures (docs/planning-figures.md), exported by planning's command in a subprocess.

The simulator never imports a service's code; it runs the service's command like an operator.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from shared.runtime.settings import Settings

DEMO_FOLDER = "demo"  # under the data folder (CASEFLOW_DATA_DIR, .data by default)
FIGURES_STEM = "planning-figures"  # planning writes <stem>.csv and <stem>.json


class ExportFailed(RuntimeError):
    """Planning's export command did not succeed (its output says why)."""


def command_environment(settings: Settings) -> dict[str, str]:
    """The environment a service's command needs to work on the run's servers and prefixes."""
    return {
        **os.environ,
        "CASEFLOW_DATABASE_URL": settings.database_url,
        "CASEFLOW_SCHEMA_PREFIX": settings.schema_prefix,
        "CASEFLOW_TOPIC_PREFIX": settings.topic_prefix,
        "CASEFLOW_KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
        "CASEFLOW_LOG_LEVEL": "WARNING",
    }


def export_planning_figures(settings: Settings, until: date, folder: Path | None = None) -> Path:
    """Write planning's monthly figures up to `until` (the run's last simulated day) as
    `<folder>/planning-figures.csv` and `.json`, from planning's tables; returns the folder
    (by default `.data/demo/`)."""
    folder = folder or settings.data_dir / DEMO_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    env = command_environment(settings)
    command = [
        sys.executable,
        "-m",
        "planning",
        "export-figures",
        str(folder / FIGURES_STEM),
        "--until",
        until.isoformat(),
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise ExportFailed(
            f"planning export-figures exited {done.returncode}: {done.stderr[-500:]}"
        )
    return folder
