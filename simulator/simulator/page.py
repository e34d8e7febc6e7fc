"""The end of `make demo`: the monthly progress page (R14), written, served and its address
printed, up until Ctrl-C or for DEMO_SECONDS seconds (docs/progress-page.md).

The simulator never imports a service: planning's own commands make the figures export and
the page, as subprocesses, on the run's database.
"""

from __future__ import annotations

import functools
import http.server
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path

Say = Callable[[str], None]


def write_figures_export(folder: Path, env: Mapping[str, str]) -> Path:
    """Planning's figures export (CSV and JSON) into the demo's output folder; returns the folder.
    The export's path without suffix is `folder / "figures"`."""
    folder.mkdir(parents=True, exist_ok=True)
    _planning(["export-figures", str(folder / "figures")], env)
    return folder


def render_page(folder: Path, env: Mapping[str, str]) -> Path:
    """index.html beside the export in `folder`, by planning's figures-page command."""
    _planning(["figures-page", "--export", str(folder / "figures"), "--out", str(folder)], env)
    return folder / "index.html"


def _planning(args: list[str], env: Mapping[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "planning", *args],
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"planning {args[0]} failed: {done.stderr.strip()[-2000:]}")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # no request lines on the console
        pass


def serve(folder: Path, seconds: float, say: Say, interactive: bool) -> str:
    """Serve `folder` on 127.0.0.1 at a free port; print the address; stay up for `seconds`
    (0: until Ctrl-C). Without a terminal (CI, a test) 0 would wait for ever, so it stops at
    once. Returns the address."""
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    address = f"http://127.0.0.1:{server.server_address[1]}/"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        say(f"progress page: {address} (files in {folder})")
        if not seconds and not interactive:
            say("no terminal and DEMO_SECONDS=0: not waiting for Ctrl-C; stopping the page")
            return address
        say("Press Ctrl-C to stop." if not seconds else f"Stopping by itself in {seconds:g}s.")
        started = time.monotonic()
        while not seconds or time.monotonic() - started < seconds:
            time.sleep(0.2)
    except KeyboardInterrupt:
        say("stopped")
    finally:
        server.shutdown()
        server.server_close()
    return address


def show_progress_page(folder: Path, env: Mapping[str, str], say: Say) -> bool:
    """The whole end of the demo: export, page, serve for DEMO_SECONDS (from `env`; 0: until
    Ctrl-C). False, told, when the page could not be made."""
    try:
        seconds = float(env.get("DEMO_SECONDS") or 0)
        render_page(write_figures_export(folder, env), env)
    except (ValueError, RuntimeError, OSError, subprocess.TimeoutExpired) as error:
        say(f"no progress page: {error}")
        return False
    serve(folder, seconds, say, interactive=sys.stdin.isatty())
    return True
