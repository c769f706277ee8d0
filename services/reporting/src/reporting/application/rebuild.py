"""Rebuild the projection from the event log into a fresh schema, compare it with the live one, maybe swap.

The rebuilt schema is compared with the live one on all figures (national, regions, territories).
Without swap it is then dropped; with swap it becomes live once it has caught up with everything the
live consumer applied (see adapters/store.py for why this is safe while the consumer runs)."""

from __future__ import annotations

import time
from typing import Any

from kernel.decider import DomainError
from reporting.application.figures import all_figures
from reporting.application.ports import EventLog, LogReader, ProjectionStore, ReplayCounts
from reporting.domain.compare import differences


class RebuildEnCours(DomainError):
    def __init__(self) -> None:
        super().__init__("a rebuild of the reporting projection is already running", reason="rebuild_en_cours")


async def rebuild(
    store: ProjectionStore, log: EventLog, swap: bool = False, catch_up_seconds: float = 30.0
) -> dict[str, Any]:
    """Replay, compare, and (if asked) swap; the report says what was read, applied and found."""
    started = time.perf_counter()
    async with store.exclusive() as acquired:
        if not acquired:
            raise RebuildEnCours()
        live = await store.live_schema()
        target = await store.create_fresh()
        counts, outcome = ReplayCounts(), dict[str, Any](swapped=False, live_schema=live)
        try:
            async with log as reader:
                async for batch in reader.until_end():
                    counts.add(await store.apply(target, batch))
                replayed = time.perf_counter() - started
                found = differences(await all_figures(store, live), await all_figures(store, target))
                if swap:
                    outcome = await _swap(store, reader, target, counts, catch_up_seconds)
        finally:
            if not outcome["swapped"]:
                await store.drop(target)
        if outcome["swapped"]:
            await store.drop(outcome["previous_schema"])
    return {
        "schema": target,
        **outcome,
        **_counted(counts, replayed),
        "seconds": round(time.perf_counter() - started, 3),
        "identical": not found,
        "differences": found,
    }


def _counted(counts: ReplayCounts, replayed: float) -> dict[str, Any]:
    return {
        "events_read": counts.read,
        "events_applied": counts.applied,
        "duplicates": counts.duplicates,
        "unreadable": counts.unreadable,
        "events_per_second": round(counts.read / replayed) if replayed > 0 else None,
    }


async def _swap(
    store: ProjectionStore, reader: LogReader, target: str, counts: ReplayCounts, catch_up_seconds: float
) -> dict[str, Any]:
    """Catch up with what the live consumer applied meanwhile, then move the pointer."""
    deadline = time.perf_counter() + catch_up_seconds
    while (previous := await store.swap(target)) is None:
        if time.perf_counter() > deadline:
            return {
                "swapped": False,
                "live_schema": await store.live_schema(),
                "swap_error": f"not caught up with the live consumer after {catch_up_seconds}s",
            }
        if batch := await reader.more(timeout=0.5):
            counts.add(await store.apply(target, batch))
    return {"swapped": True, "live_schema": target, "previous_schema": previous}
