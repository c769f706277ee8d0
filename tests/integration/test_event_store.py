"""The event store contract on PostgreSQL, and what only PostgreSQL must prove: append-only, commit order,
an auditor finding where an altered log breaks."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest

from kernel.adapters.postgres import PostgresEventStore, create_pool, migrate
from kernel.ports import ConcurrencyError
from tests.event_store_contract import EventStoreContract
from tests.fixtures import context, laureat

pytestmark = pytest.mark.postgres


class TestPostgresEventStore(EventStoreContract):
    @pytest.fixture
    async def store(self, new_database) -> AsyncIterator[PostgresEventStore]:  # type: ignore[no-untyped-def]
        url = await new_database("store")
        await migrate(url)
        pool = await create_pool(url)
        yield PostgresEventStore(pool, producer="tests")
        await pool.close()


async def test_postgres_log_is_append_only(pool: asyncpg.Pool) -> None:
    store = PostgresEventStore(pool, producer="tests")
    await store.append("enveloppe-f", [laureat("f")], 0, context())
    async with pool.acquire() as conn:
        for statement in ("UPDATE events SET event_type = 'X'", "DELETE FROM events", "TRUNCATE events"):
            with pytest.raises(asyncpg.RaiseError, match="append-only"):
                await conn.execute(statement)
    assert len(await store.read("enveloppe-f")) == 1


async def test_interleaved_transactions_are_read_in_commit_order(pool: asyncpg.Pool) -> None:
    """A reader following the log never skips a row whose transaction commits late, and no writer waits for
    another: a transaction that began first holds back, until it ends, only what sorts after it."""
    store = PostgresEventStore(pool, producer="tests")
    slow = await pool.acquire()
    try:
        transaction = slow.transaction()
        await transaction.start()
        await slow.fetchval("SELECT pg_current_xact_id()")  # the slow transaction has begun writing
        await asyncio.wait_for(store.append("enveloppe-fast", [laureat("fast")], 0, context()), 2)  # no wait
        assert await store.read_log(0) == [], "a row is read only once the transactions before it have ended"
        await store.bound(slow).append("enveloppe-slow", [laureat("slow")], 0, context())  # a higher position
        await transaction.commit()
    finally:
        await pool.release(slow)
    log = await store.read_log(0)
    assert [envelope["stream_id"] for _, envelope in log] == ["enveloppe-slow", "enveloppe-fast"]
    assert log[0][0] > log[1][0], "commit order, not position order"
    assert [e["stream_id"] for _, e in await store.read_log(log[0][0])] == ["enveloppe-fast"]

    # A reader that already read a row, then a transaction that began later and took a lower position…
    first = await pool.acquire()
    try:
        late = first.transaction()
        await late.start()
        await store.bound(first).append("enveloppe-late", [laureat("late")], 0, context())  # position taken first
        await store.append("enveloppe-early", [laureat("early")], 0, context())  # a later position, committed
        assert await store.read_log(log[-1][0]) == [], "the earlier position's transaction is still running"
        await late.commit()
    finally:
        await pool.release(first)
    after = await store.read_log(log[-1][0])
    assert [e["stream_id"] for _, e in after] == ["enveloppe-late", "enveloppe-early"]


async def test_eight_writers_never_give_one_stream_two_events_of_one_version(pool: asyncpg.Pool) -> None:
    """Without a table lock, the primary key still makes exactly one of concurrent writers of a version win."""
    store = PostgresEventStore(pool, producer="tests")
    outcomes = await asyncio.gather(
        *(store.append("enveloppe-race", [laureat("race")], 0, context()) for _ in range(8)), return_exceptions=True
    )
    assert sum(not isinstance(o, BaseException) for o in outcomes) == 1
    assert all(isinstance(o, ConcurrencyError) for o in outcomes if isinstance(o, BaseException))
    assert [r.envelope.stream_version for r in await store.read("enveloppe-race")] == [1]
