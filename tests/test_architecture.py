"""The layout keeps its promises: services never import each other; nothing reads the reference
folder that sits beside the checkout."""

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
    """Nothing the project runs may read the reference folder beside the checkout."""
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    offenders = []
    for name in tracked:
        path = ROOT / name
        if path.suffix == ".md" or path == Path(__file__).resolve() or not path.is_file():
            continue  # prose may mention it; this file has to
        text = path.read_bytes().decode("utf-8", errors="ignore")
        if "../" + "shared" in text:
            offenders.append(name)
    assert offenders == []
