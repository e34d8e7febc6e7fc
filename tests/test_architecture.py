"""The layout keeps its promises: services never import each other; nothing reads the reference
folder that sits beside the checkout."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
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


def test_the_production_wheel_of_the_shared_library_carries_no_tools(tmp_path: Path) -> None:
    """A service's production install runs contracts and runtime only: the tools layer (embedded
    servers, demo, docs generation, test fixtures) is not in the shared library's wheel."""
    uv = shutil.which("uv") or str(ROOT / ".tools" / "bin" / "uv")
    done = subprocess.run(
        [uv, "build", "--package", "caseflow-shared", "--wheel", "-o", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    (wheel,) = tmp_path.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert any(n.startswith("shared/runtime/") for n in names)
    assert any(n.startswith("shared/contracts/") for n in names)
    assert [n for n in names if n.startswith("shared/tools/")] == []
