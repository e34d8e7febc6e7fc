"""The layout keeps its promises: services never import each other, nothing reads ../shared."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run(
        [str(lint_imports)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_no_code_reaches_outside_the_repository() -> None:
    offenders = []
    for path in ROOT.rglob("*.py"):
        if ".venv" in path.parts or ".tools" in path.parts:
            continue
        if path == Path(__file__).resolve():
            continue
        if "../" + "shared" in path.read_text(encoding="utf-8"):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
