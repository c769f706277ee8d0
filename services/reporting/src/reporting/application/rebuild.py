"""Rebuild the projection from the event log into a fresh schema, compare it with the live one, maybe swap.

The rebuilt schema is compared with the live one on all figures (national, regions, territories).
Without swap it is then dropped; with swap it becomes live once it has caught up with everything the
live consumer applied (see adapters/store.py for why this is safe while the consumer runs)."""

from __future__ import annotations

import time
from typing import Any

from kernel.decider import DomainError
from reporting.application.figures import all_figures
from reporting.application.ports import EventLog, FactComparison, LogReader, ProjectionStore, ReplayCounts
from reporting.domain.compare import differences


class RebuildEnCours(DomainError):
    def __init__(self) -> None:
        super().__init__("a rebuild of the reporting projection is already running", reason="rebuild_en_cours")


async def rebuild(
    store: ProjectionStore, log: EventLog, swap: bool = False, catch_up_seconds: float = 30.0, source: str = ""
) -> dict[str, Any]:
    """Replay, compare (figures and facts), and (if asked) swap; the report says what was read, applied, found.

    A message that cannot be applied (unreadable, forged, out of its chain) is counted, never fatal: the live
    consumer parked it too, and the fact comparison shows which streams it holds back."""
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
                    await apply_batch(store, target, batch, counts)
                replayed = time.perf_counter() - started
                found = differences(await all_figures(store, live), await all_figures(store, target))
                facts = await store.compare_facts(target)
                if swap:
                    outcome = await _swap(store, reader, target, counts, catch_up_seconds)
        finally:
            if not outcome["swapped"]:
                await store.drop(target)
        if outcome["swapped"]:
            await store.drop(outcome["previous_schema"])
    return {
        "schema": target,
        "source": source,
        **outcome,
        **_counted(counts, replayed),
        "facts": _facts(facts),
        "seconds": round(time.perf_counter() - started, 3),
        "identical": not found and facts.identical,
        "differences": found,
    }


async def apply_batch(store: ProjectionStore, target: str, batch: list[bytes], counts: ReplayCounts) -> None:
    """Apply a batch, then what waited for an earlier version, as long as that makes progress."""
    counts.add(await store.apply(target, batch))
    while counts.ahead:
        waiting, counts.ahead = counts.ahead, {}
        again = await store.apply(target, [waiting[key] for key in sorted(waiting)])
        again.read = 0  # read once already
        counts.add(again)
        if again.applied == 0 and again.skipped == 0:
            return


SAMPLE = 20  # streams named in a report; the counts cover them all


def _facts(facts: FactComparison) -> dict[str, Any]:
    def named(ranges: list[tuple[str, int, int]]) -> list[dict[str, Any]]:
        return [{"stream_id": s, "from_version": a, "to_version": b} for s, a, b in ranges[:SAMPLE]]

    return {
        "live": facts.live,
        "rebuilt": facts.rebuilt,
        "only_live": sum(b - a + 1 for _, a, b in facts.only_live),
        "only_rebuilt": sum(b - a + 1 for _, a, b in facts.only_rebuilt),
        "streams_only_live": named(facts.only_live),
        "streams_only_rebuilt": named(facts.only_rebuilt),
    }


def _counted(counts: ReplayCounts, replayed: float) -> dict[str, Any]:
    return {
        "events_read": counts.read,
        "events_applied": counts.applied,
        "duplicates": counts.duplicates,
        "unreadable": counts.unreadable,
        "broken_chain": counts.broken_chain,
        "forged": counts.forged,
        "skipped": counts.skipped,
        "waiting_for_an_earlier_version": len(counts.ahead),
        "events_per_second": round(counts.read / replayed) if replayed > 0 else None,
    }


async def _swap(
    store: ProjectionStore,
    reader: LogReader,
    target: str,
    counts: ReplayCounts,
    catch_up_seconds: float,
) -> dict[str, Any]:
    """Catch up with what the live consumer applied meanwhile, then move the pointer; never to fewer facts: the
    store swaps only once every stream holds at least the versions the live consumer applied (both apply exactly
    last+1, so that is the full set of facts), which a stream held back by a message the live consumer skipped or
    that the rebuild could not read never reaches."""
    deadline = time.perf_counter() + catch_up_seconds
    while (previous := await store.swap(target)) is None:
        if time.perf_counter() > deadline:
            return {
                "swapped": False,
                "live_schema": await store.live_schema(),
                "swap_error": f"not caught up with the live consumer after {catch_up_seconds}s",
            }
        if batch := await reader.more(timeout=0.5):
            await apply_batch(store, target, batch, counts)
    return {"swapped": True, "live_schema": target, "previous_schema": previous}
