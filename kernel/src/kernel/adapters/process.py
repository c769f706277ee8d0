"""Process-wide settings every Rebond process applies once at its start (services, rebuild, auditor's tool).

The cyclic garbage collector: with its default thresholds (a collection every 700 allocations net, the whole heap
every 100 of those), a consumer decoding thousands of events a second spent about a third of its time collecting
(a replay of 20 000 events: 11 400–14 200 events/s with the defaults, 19 700–22 200 with the thresholds below, the
same runs interleaved). Events, rows and pydantic models hold no reference cycles, so they are freed by reference
counting anyway; the collector only needs to run rarely. (Freezing what a process built before serving, gc.freeze(),
made no difference measured the same way, and would keep a test process's garbage cycles forever.)"""

from __future__ import annotations

import gc

GC_THRESHOLDS = (50_000, 20, 20)


def tune_garbage_collector() -> None:
    gc.set_threshold(*GC_THRESHOLDS)
