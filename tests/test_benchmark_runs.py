"""The replay benchmark keeps working (its figures are for people; here only that it completes)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]


def test_the_intake_replay_benchmark_replays_every_case() -> None:
    done = subprocess.run(
        [sys.executable, "benchmarks/intake_replay.py", "--cases", "300", "--batch-size", "100"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "intake: 300 of 300 cases registered and published" in done.stdout
    assert "records each on average" in done.stdout
