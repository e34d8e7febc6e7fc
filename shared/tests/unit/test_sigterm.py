"""A command with embedded servers cleans up on SIGTERM (shared/tools/embedded.py)."""

from __future__ import annotations

import signal
import subprocess
import sys

PROGRAM = """
import sys, time
from shared.tools.embedded import exit_cleanly_on_sigterm
exit_cleanly_on_sigterm()
try:
    print("running", flush=True)
    time.sleep(30)
finally:
    print("servers stopped", flush=True)
"""


def test_sigterm_runs_the_clean_up_and_exits_143() -> None:
    process = subprocess.Popen([sys.executable, "-c", PROGRAM], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "running"
    process.send_signal(signal.SIGTERM)
    rest = process.communicate(timeout=20)[0]
    assert rest.strip() == "servers stopped"
    assert process.returncode == 128 + signal.SIGTERM
