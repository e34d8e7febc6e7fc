"""The short soak (issue 18): every service killed once mid-run and 1,000 malformed inputs over
every input topic, interleaved with the simulated people's input; nothing lost, every malformed
input rejected with a reason. The long one is `make soak` (docs/soak.md)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]


def figure(output: str, name: str) -> str:
    found = re.search(rf"{re.escape(name)}\s*│\s*([^│]+?)\s*│", output)
    assert found, f"no figure {name!r} in:\n{output}"
    return found.group(1)


def test_a_short_soak_loses_nothing_and_rejects_every_malformed_input() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "simulator.soak",
            "--seconds",
            "15",
            "--kill-each-once",
            "--kill-every",
            "3",
            "--pause-broker",
            "0",
            "--no-restart-postgres",
            "--malformed",
            "1000",
            "--scale",
            "0.002",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "SOAK PASSED" in output
    killed = figure(output, "services killed (kill -9)")
    assert killed.startswith("6:"), killed
    for service in ("intake", "planning", "prephase", "hearing", "decision", "chain-notify"):
        assert f"'{service}': 1" in killed
    assert figure(output, "LOST") == "0"
    assert figure(output, "malformed inputs sent") == "1000"
    assert figure(output, "rejected with a reason") == "1000"
    assert int(figure(output, "answered")) > 0
    assert int(figure(output, "partner notices logged")) > 0
