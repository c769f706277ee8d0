"""The rebuild use case on in-memory fakes: one at a time, compared, dropped unless swapped, swap after catch-up."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date

import pytest

from reporting.application.ports import FactComparison, PreparedBatch, ReplayCounts
from reporting.application.rebuild import RebuildEnCours, rebuild
from reporting.domain.figures import AidesForme, Facts, TerritoireFacts


def facts(nb_aides: int) -> Facts:
    territoire = TerritoireFacts(
        territoire_id="t",
        nom="T",
        region_code="32",
        laureat=True,
        aides={"SUBVENTION": AidesForme(nb_aides, nb_aides * 100)},
    )
    return Facts({"32": 1}, (territoire,))


class FakeStore:
    """Schemas are counters of applied messages; the live consumer has applied `live_applied`."""

    def __init__(self, live_applied: int, locked: bool = False, forged: bool = False) -> None:
        self.schemas = {"reporting": live_applied}
        self.live, self.locked, self.dropped = "reporting", locked, []
        self.forged = forged  # a stream whose last event's signature is forged: a deferred proof fails
        self.deferred: list[bool] = []  # how each batch was applied

    @asynccontextmanager
    async def exclusive(self) -> AsyncIterator[bool]:
        yield not self.locked

    async def live_schema(self) -> str:
        return self.live

    async def create_fresh(self) -> str:
        self.schemas["fresh"] = 0
        return "fresh"

    async def prepare(self, bodies: list[bytes], deferred: bool = False) -> PreparedBatch:
        self.deferred.append(deferred)
        if self.forged and not deferred:  # checked one by one, the forged event is refused
            self.forged = False
            return PreparedBatch(ReplayCounts(read=len(bodies), forged=1), len(bodies) - 1)
        return PreparedBatch(ReplayCounts(read=len(bodies)), len(bodies))

    async def write(self, schema: str, batch: PreparedBatch) -> ReplayCounts:
        self.schemas[schema] += batch.events
        batch.counts.applied += batch.events
        return batch.counts

    async def unproven_streams(self, schema: str) -> list[str]:
        return ["s"] if self.forged else []

    async def compare_facts(self, schema: str) -> FactComparison:
        """One stream "s": the live projection applied versions 1..live, the rebuild 1..rebuilt."""
        live, rebuilt = self.schemas[self.live], self.schemas[schema]
        return FactComparison(
            live=live,
            rebuilt=rebuilt,
            only_live=[("s", rebuilt + 1, live)] if live > rebuilt else [],
            only_rebuilt=[("s", live + 1, rebuilt)] if rebuilt > live else [],
        )

    async def swap(self, schema: str) -> str | None:
        if self.schemas[schema] < self.schemas[self.live]:
            return None
        previous, self.live = self.live, schema
        return previous

    async def drop(self, schema: str) -> None:
        assert schema != self.live
        self.dropped.append(schema)

    async def facts(self, schema: str | None, as_of: date | None) -> Facts:
        return facts(self.schemas[schema or self.live])


class FakeLog:
    def __init__(self, until_end: int, later: int) -> None:
        self.remaining, self.later = until_end, later

    async def __aenter__(self) -> FakeLog:
        return self

    async def __aexit__(self, *_: object) -> None:
        return None

    async def until_end(self) -> AsyncIterator[list[bytes]]:
        for _ in range(self.remaining):
            yield [b"m"]

    async def more(self, timeout: float) -> list[bytes]:
        batch, self.later = [b"m"] * min(self.later, 1), max(self.later - 1, 0)
        return batch


async def test_identical_rebuild_is_compared_then_dropped() -> None:
    store = FakeStore(live_applied=3)
    result = await rebuild(store, FakeLog(3, 0))
    assert (result["identical"], result["differences"], result["swapped"]) == (True, [], False)
    assert (result["events_read"], result["live_schema"], store.dropped) == (3, "reporting", ["fresh"])


async def test_differences_are_reported_live_first() -> None:
    result = await rebuild(FakeStore(live_applied=4), FakeLog(3, 0))
    assert result["identical"] is False
    assert "national.nb_aides: 4 != 3" in result["differences"]
    assert (result["facts"]["live"], result["facts"]["rebuilt"], result["facts"]["only_live"]) == (4, 3, 1)
    assert result["facts"]["streams_only_live"] == [{"stream_id": "s", "from_version": 4, "to_version": 4}]


async def test_swap_waits_until_the_rebuild_caught_up_with_the_live_consumer() -> None:
    store = FakeStore(live_applied=5)
    result = await rebuild(store, FakeLog(3, 2), swap=True)
    assert (result["swapped"], result["previous_schema"], result["live_schema"]) == (True, "reporting", "fresh")
    assert (result["events_read"], store.live, store.dropped) == (5, "fresh", ["reporting"])


async def test_swap_gives_up_when_the_log_never_catches_up() -> None:
    store = FakeStore(live_applied=9)
    result = await rebuild(store, FakeLog(3, 1), swap=True, catch_up_seconds=0.0)
    assert (result["swapped"], store.live, store.dropped) == (False, "reporting", ["fresh"])
    assert "not caught up" in result["swap_error"]


async def test_one_rebuild_at_a_time() -> None:
    with pytest.raises(RebuildEnCours) as refused:
        await rebuild(FakeStore(live_applied=0, locked=True), FakeLog(0, 0))
    assert refused.value.reason == "rebuild_en_cours"


async def test_a_replay_checks_one_signature_per_stream_unless_a_stream_does_not_prove_its_chain() -> None:
    store = FakeStore(live_applied=3)
    result = await rebuild(store, FakeLog(3, 0))
    assert store.deferred == [True, True, True] and result["signatures"] == "one per stream, the last event's"
    store = FakeStore(live_applied=2, forged=True)
    result = await rebuild(store, FakeLog(3, 0))
    assert store.deferred == [True, True, True, False, False, False]
    assert (result["signatures"], result["forged"], result["events_applied"]) == ("one per event", 1, 2)
    assert result["identical"] and store.dropped == ["fresh", "fresh"]
