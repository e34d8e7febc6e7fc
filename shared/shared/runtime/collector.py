"""The garbage collector of a long-running process (docs/adr/0039).

CPython's cyclic collector runs after every 700 net allocations and, now and then, walks every
object the process holds: the modules, the event models and their validators, the table
metadata. A service allocates a great deal per event (envelopes, models, rows), so measured in
a simulated run the collector took 7 to 11% of each service's CPU time.
"""

from __future__ import annotations

import gc

# Allocations between young collections, and collections of each generation between two of
# the next: the young generation is collected 30 times less often than by default, the older
# ones half as often; garbage in cycles lives a little longer (a few megabytes at most).
THRESHOLDS = (20_000, 20, 20)


def settle_after_start() -> None:
    """Move what start-up built into the permanent generation, which no collection walks, and
    collect less often. Call once a process has imported and built what it keeps."""
    gc.collect()  # what start-up left as garbage is not frozen with the rest
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
