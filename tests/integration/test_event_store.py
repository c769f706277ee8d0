"""The event store contract, run against every adapter (in memory and real PostgreSQL)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import asyncpg
import pytest

from contracts.base import Role
from contracts.codec import hash_is_intact
from contracts.envelope import Actor, EventEnvelope
from contracts.financement.v1 import LaureatEnregistre
from kernel.adapters.audit import ChainBreak, verify_chains
from kernel.adapters.postgres import PostgresEventStore, create_pool, migrate
from kernel.memory import InMemoryEventStore
from kernel.ports import CommandContext, ConcurrencyError, DuplicateEvent

pytestmark = pytest.mark.postgres

ACTOR = Actor(id="cdc-1", role=Role.INSTRUCTEUR_CDC)


def context(key: str | None = None) -> CommandContext:
    return CommandContext(actor=ACTOR, occurred_at=datetime(2023, 8, 28, 10, tzinfo=UTC), idempotency_key=key)


def laureat(territoire: str) -> LaureatEnregistre:
    return LaureatEnregistre(
        territoire_id=territoire, nom_territoire="Cambrésis", region_code="32", date_decision=date(2023, 7, 1)
    )


@pytest.fixture(params=["memory", "postgres"])
async def store(request: pytest.FixtureRequest, new_database) -> AsyncIterator[object]:  # type: ignore[no-untyped-def]
    if request.param == "memory":
        yield InMemoryEventStore("tests")
        return
    pool = await create_pool(await new_database("store"))
    await migrate(pool)
    yield PostgresEventStore(pool, producer="tests")
    await pool.close()


async def test_appends_and_reads_back_in_version_order(store) -> None:  # type: ignore[no-untyped-def]
    await store.append("enveloppe-a", [laureat("a")], 0, context())
    await store.append("enveloppe-a", [laureat("a"), laureat("a")], 1, context())
    history = await store.read("enveloppe-a")
    assert [r.envelope.stream_version for r in history] == [1, 2, 3]
    assert history[0].event == laureat("a")
    assert await store.read("enveloppe-unknown") == []


async def test_stale_expected_version_is_a_typed_conflict(store) -> None:  # type: ignore[no-untyped-def]
    await store.append("enveloppe-b", [laureat("b")], 0, context())
    with pytest.raises(ConcurrencyError):
        await store.append("enveloppe-b", [laureat("b")], 0, context())
    assert len(await store.read("enveloppe-b")) == 1


async def test_same_event_id_twice_is_a_duplicate_not_a_second_event(store) -> None:  # type: ignore[no-untyped-def]
    await store.append("enveloppe-c", [laureat("c")], 0, context(key="msg-1"))
    with pytest.raises(DuplicateEvent):
        await store.append("enveloppe-c", [laureat("c")], 1, context(key="msg-1"))
    assert len(await store.read("enveloppe-c")) == 1


async def test_each_event_is_chained_to_its_predecessor(store) -> None:  # type: ignore[no-untyped-def]
    await store.append("enveloppe-d", [laureat("d"), laureat("d")], 0, context())
    await store.append("enveloppe-d", [laureat("d")], 2, context())
    history = [r.envelope for r in await store.read("enveloppe-d")]
    assert history[0].previous_hash is None
    assert [e.previous_hash for e in history[1:]] == [e.hash for e in history[:-1]]
    assert all(hash_is_intact(e) for e in history)


async def test_concurrent_appends_at_one_version_let_exactly_one_win(store) -> None:  # type: ignore[no-untyped-def]
    async def attempt() -> bool:
        try:
            await store.append("enveloppe-e", [laureat("e")], 0, context())
            return True
        except ConcurrencyError:
            return False

    outcomes = await asyncio.gather(*(attempt() for _ in range(20)))
    assert outcomes.count(True) == 1
    assert len(await store.read("enveloppe-e")) == 1


async def test_postgres_log_is_append_only(pool: asyncpg.Pool) -> None:
    store = PostgresEventStore(pool, producer="tests")
    await store.append("enveloppe-f", [laureat("f")], 0, context())
    async with pool.acquire() as conn:
        for statement in ("UPDATE events SET event_type = 'X'", "DELETE FROM events", "TRUNCATE events"):
            with pytest.raises(asyncpg.RaiseError, match="append-only"):
                await conn.execute(statement)
    assert len(await store.read("enveloppe-f")) == 1


async def test_interleaved_transactions_are_read_in_commit_order(pool: asyncpg.Pool) -> None:
    """A reader following `position` must never skip a row whose transaction commits late."""
    store = PostgresEventStore(pool, producer="tests")
    slow = await pool.acquire()
    try:
        transaction = slow.transaction()
        await transaction.start()
        await store.bound(slow).append("enveloppe-slow", [laureat("slow")], 0, context())  # position taken, uncommitted
        fast = asyncio.create_task(store.append("enveloppe-fast", [laureat("fast")], 0, context()))
        await asyncio.sleep(0.3)
        assert not fast.done(), "a second writer must wait for the first one's commit"
        assert await store.read_log(0) == [], "nothing is visible before the first commit"
        await transaction.commit()
        await fast
    finally:
        await pool.release(slow)
    log = await store.read_log(0)
    assert [envelope["stream_id"] for _, envelope in log] == ["enveloppe-slow", "enveloppe-fast"]
    assert log[0][0] < log[1][0]


async def test_an_auditor_finds_where_an_altered_log_breaks(pool: asyncpg.Pool) -> None:
    store = PostgresEventStore(pool, producer="tests")
    for version in range(3):
        await store.append("enveloppe-audit", [laureat("audit")], version, context())
    await store.append("enveloppe-other", [laureat("other")], 0, context())
    events = [r.envelope for r in await store.read("enveloppe-audit")]
    assert verify_chains(events) == (3, [])
    async with pool.acquire() as conn:  # someone with admin rights bypasses the append-only guard
        await conn.execute("ALTER TABLE events DISABLE TRIGGER events_no_update_or_delete")
        await conn.execute(
            "UPDATE events SET envelope = jsonb_set(envelope, '{data,region_code}', '\"53\"') "
            "WHERE stream_id = 'enveloppe-audit' AND version = 2"
        )
        await conn.execute("DELETE FROM events WHERE stream_id = 'enveloppe-other'")
        await conn.execute("ALTER TABLE events ENABLE TRIGGER events_no_update_or_delete")
    tampered = [EventEnvelope.model_validate(e) for _, e in await store.read_log(0)]
    count, breaks = verify_chains(tampered)
    assert count == 3
    assert breaks == [ChainBreak("enveloppe-audit", 2, "content altered: hash mismatch")]
    dropped = [e for e in events if e.stream_version != 2]  # an event removed from the middle
    assert verify_chains(dropped)[1] == [ChainBreak("enveloppe-audit", 3, "version 3 follows 1")]
