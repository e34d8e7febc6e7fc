"""The end of `make demo`: the page's folder served over HTTP at a printed address, for
DEMO_SECONDS; without a terminal, DEMO_SECONDS=0 does not wait for a Ctrl-C that never comes."""

from __future__ import annotations

import threading
import time
import urllib.request
from pathlib import Path

from simulator.page import serve, show_progress_page


def test_the_folder_is_served_at_the_printed_address_until_the_seconds_pass(
    tmp_path: Path,
) -> None:
    (tmp_path / "index.html").write_text("<!doctype html><title>progress</title>")
    (tmp_path / "figures.csv").write_text("month,stream,figure,group,value\n")
    said: list[str] = []
    result: list[str] = []
    thread = threading.Thread(
        target=lambda: result.append(serve(tmp_path, 6, said.append, interactive=False))
    )
    thread.start()
    deadline = time.monotonic() + 10
    while not said and time.monotonic() < deadline:
        time.sleep(0.05)
    address = said[0].split()[2]
    assert address.startswith("http://127.0.0.1:")
    with urllib.request.urlopen(address, timeout=5) as page:
        assert b"<title>progress</title>" in page.read()
    with urllib.request.urlopen(address + "figures.csv", timeout=5) as data:
        assert data.read().startswith(b"month,stream,figure")
    assert "Stopping by itself in 6s." in said
    assert thread.is_alive(), "stopped before its seconds"
    thread.join(30)
    assert result == [address]


def test_without_a_terminal_zero_seconds_does_not_hang(tmp_path: Path) -> None:
    said: list[str] = []
    address = serve(tmp_path, 0, said.append, interactive=False)
    assert any("not waiting for Ctrl-C" in s for s in said)
    try:
        urllib.request.urlopen(address, timeout=2)
        served_after = True
    except OSError:
        served_after = False
    assert not served_after, "the server was left running"


def test_a_page_that_cannot_be_made_is_told(tmp_path: Path) -> None:
    said: list[str] = []
    env = {"DEMO_SECONDS": "soon", "PATH": "/usr/bin"}
    assert show_progress_page(tmp_path, env, said.append) is False
    assert said[0].startswith("no progress page:")
