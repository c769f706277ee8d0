"""Rebuild the projection from the event log into a fresh schema, compare it with the live one, maybe swap.

The rebuilt schema is compared with the live one on all figures (national, regions, territories).
Without swap it is then dropped; with swap it becomes live once it has caught up with everything the
live consumer applied (see adapters/store.py for why this is safe while the consumer runs)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import structlog

from kernel.decider import DomainError
from reporting.application.figures import all_figures
from reporting.application.ports import (
    EventLog,
    FactComparison,
    LogReader,
    PreparedBatch,
    ProjectionStore,
    ReplayCounts,
)
from reporting.domain.compare import differences

logger = structlog.get_logger(__name__)


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
        outcome = dict[str, Any](swapped=False, live_schema=live)
        async with replayed(store, log) as replay:
            target, counts = replay.schema, replay.counts
            try:
                seconds = time.perf_counter() - started
                found = differences(await all_figures(store, live), await all_figures(store, target))
                facts = await store.compare_facts(target)
                if swap:
                    outcome = await _swap(store, replay.reader, target, counts, catch_up_seconds)
            finally:
                if not outcome["swapped"]:
                    await store.drop(target)
        if outcome["swapped"]:
            await store.drop(outcome["previous_schema"])
    return {
        "schema": target,
        "source": source,
        **outcome,
        **_counted(counts, seconds),
        "signatures": replay.proof,
        "facts": _facts(facts),
        "seconds": round(time.perf_counter() - started, 3),
        "identical": not found and facts.identical,
        "differences": found,
    }


@dataclass(frozen=True)
class Replay:
    schema: str  # a fresh schema holding the log, its origin proven
    counts: ReplayCounts
    reader: LogReader  # at the end of the log as of the start: more() reads what came after (a swap's catch-up)
    proof: str  # how the signatures were checked


@asynccontextmanager
async def replayed(
    store: ProjectionStore, log: EventLog, progress: Callable[[int], object] | None = None
) -> AsyncIterator[Replay]:
    """Replay the whole log into a fresh schema (the caller drops it or makes it live), its signatures proven.

    First with one signature check per stream: the replay checks every hash and every link of each stream's
    chain, so the signature of a stream's last applied event proves all of it (the store's deferred proof). If a
    stream's last event does not prove its chain (a forged signature somewhere in it), the schema is dropped and
    the log replayed again, each event's signature checked before it is applied: what ends up in the schema is
    exactly what checking each event would have applied, at a signature per stream whenever nothing is forged."""
    for deferred in (True, False):
        target, counts = await store.create_fresh(), ReplayCounts()
        replaying = True
        try:
            async with log as reader:
                await replay_log(store, reader, target, counts, deferred, progress)
                unproven = await store.unproven_streams(target) if deferred else []
                if not unproven:
                    replaying = False
                    proof = "one per stream, the last event's" if deferred else "one per event"
                    yield Replay(target, counts, reader, proof)
                    return
        finally:
            if replaying:
                await store.drop(target)
        logger.warning("rebuild.replayed_again", unproven_streams=unproven[:SAMPLE], count=len(unproven))
    raise AssertionError("unreachable: the second replay checks each event")


async def replay_log(
    store: ProjectionStore,
    reader: LogReader,
    target: str,
    counts: ReplayCounts,
    deferred: bool,
    progress: Callable[[int], object] | None = None,
) -> None:
    """Every batch up to the log's end, each prepared while the one before it is written: decoding and proving
    is Python's work, writing the database's, and a batch of each at a time keeps both busy (measured on a replay
    of 20 000 grants: the event loop waited for the database a third of the time when they took turns). Batches
    are written one after the other, each in its own transaction, in the log's order."""
    writing: asyncio.Task[None] | None = None
    try:
        async for batch in reader.until_end():
            prepared = await store.prepare(batch, deferred)
            if writing is not None:
                await writing
            writing = asyncio.create_task(_write_batch(store, target, prepared, counts, deferred))
            if progress is not None:
                progress(len(batch))
        if writing is not None:
            await writing
    finally:
        if writing is not None and not writing.done():
            writing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await writing


async def apply_batch(
    store: ProjectionStore, target: str, batch: list[bytes], counts: ReplayCounts, deferred: bool = False
) -> None:
    """Apply a batch, then what waited for an earlier version, as long as that makes progress."""
    await _write_batch(store, target, await store.prepare(batch, deferred), counts, deferred)


async def _write_batch(
    store: ProjectionStore, target: str, prepared: PreparedBatch, counts: ReplayCounts, deferred: bool
) -> None:
    """Write a prepared batch, then what waited for an earlier version, as long as that makes progress."""
    counts.add(await store.write(target, prepared))
    while counts.ahead:
        waiting, counts.ahead = counts.ahead, {}
        again = await store.write(target, await store.prepare([waiting[key] for key in sorted(waiting)], deferred))
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
