"""Group commit on PostgreSQL: concurrent commands share transactions, and each keeps its own answer."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import asyncpg
import pytest

from kernel.adapters.group_commit import GroupCommit
from kernel.adapters.postgres import ACQUIRE_TIMEOUT_SECONDS, PostgresEventStore, create_pool, migrate
from kernel.envelopes import envelop_and_render
from kernel.ports import ConcurrencyError, DuplicateEvent
from tests.fixtures import context, laureat

pytestmark = pytest.mark.postgres


def _documents(stream_id: str, version: int = 0) -> list[dict[str, Any]]:
    return [
        document for _, document in envelop_and_render("tests", stream_id, [laureat("g")], version, None, context())
    ]


async def test_concurrent_appends_share_commits_and_each_gets_its_answer(pool: asyncpg.Pool) -> None:
    """Forty writers of distinct streams, two of one stream at one version, one retry of a recorded command: one
    transaction holds several commands, the loser of the race alone is told so, the retry alone is a duplicate."""
    store = PostgresEventStore(pool, producer="tests")
    await store.append("enveloppe-retried", [laureat("r")], 0, context(key="cmd-1"))
    outcomes = await asyncio.gather(
        *(store.append(f"enveloppe-{i}", [laureat(str(i))], 0, context()) for i in range(40)),
        store.append("enveloppe-race", [laureat("a")], 0, context()),
        store.append("enveloppe-race", [laureat("b")], 0, context()),
        store.append("enveloppe-other", [laureat("r")], 0, context(key="cmd-1")),  # same event id as the first
        return_exceptions=True,
    )
    assert all(isinstance(o, list) for o in outcomes[:40])
    race = outcomes[40:42]
    assert sum(isinstance(o, list) for o in race) == 1 and sum(isinstance(o, ConcurrencyError) for o in race) == 1
    assert isinstance(outcomes[42], DuplicateEvent)
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT stream_id, version, transaction_id FROM events")
    assert len(rows) == 1 + 40 + 1, "the losers recorded nothing"
    assert sorted(r["stream_id"] for r in rows if r["stream_id"] == "enveloppe-race") == ["enveloppe-race"]
    assert len({r["transaction_id"] for r in rows}) < len(rows), "some commands shared a commit"
    log = await store.read_log(0, limit=100)
    assert len(log) == len(rows), "the relays read every row, in commit order"


async def test_a_group_the_database_refuses_is_replayed_one_append_at_a_time(pool: asyncpg.Pool) -> None:
    """An append the database refuses outright (here a record date it cannot read) takes nothing from the others
    of its group: the group rolls back, each append goes again alone, the good ones commit, the bad one fails."""
    committed: list[None] = []
    committer = GroupCommit(
        pool, on_commit=lambda: committed.append(None), acquire_timeout=ACQUIRE_TIMEOUT_SECONDS, in_flight=1
    )
    broken = _documents("enveloppe-broken")
    broken[0]["recorded_at"] = "pas une date"
    outcomes = await asyncio.gather(
        committer.append("enveloppe-g1", 0, _documents("enveloppe-g1"), None),
        committer.append("enveloppe-broken", 0, broken, None),
        committer.append("enveloppe-g2", 0, _documents("enveloppe-g2"), None),
        return_exceptions=True,
    )
    assert outcomes[0] == "ok" and outcomes[2] == "ok"
    assert isinstance(outcomes[1], asyncpg.PostgresError)
    async with pool.acquire() as conn:
        streams = sorted(await conn.fetchval("SELECT array_agg(stream_id) FROM events"))
    assert streams == ["enveloppe-g1", "enveloppe-g2"]
    assert committed, "the relays were woken"


async def test_a_caller_cancelled_before_its_group_leaves_records_nothing(pool: asyncpg.Pool) -> None:
    """The one lane is held up by a transaction that holds the row its group inserts; a command waiting behind it
    is cancelled (its request went away): once the lane is free, that command's events are not recorded."""
    committer = GroupCommit(pool, on_commit=lambda: None, acquire_timeout=ACQUIRE_TIMEOUT_SECONDS, in_flight=1)
    blocker = await pool.acquire()
    try:
        transaction = blocker.transaction()
        await transaction.start()
        await blocker.execute(
            "SELECT append_events($1, 0, $2::jsonb, NULL)", "enveloppe-held", _documents("enveloppe-held")
        )
        held = asyncio.create_task(committer.append("enveloppe-held", 0, _documents("enveloppe-held"), None))
        await asyncio.sleep(0.2)  # its group has left and waits on the uncommitted row
        waiting = asyncio.create_task(
            committer.append("enveloppe-cancelled", 0, _documents("enveloppe-cancelled"), None)
        )
        await asyncio.sleep(0.05)
        waiting.cancel()
        await transaction.rollback()
    finally:
        await pool.release(blocker)
    assert await asyncio.wait_for(held, 5) == "ok"
    with pytest.raises(asyncio.CancelledError):
        await waiting
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT array_agg(stream_id) FROM events") == ["enveloppe-held"]


async def test_a_group_refused_for_no_fault_of_its_appends_fails_them_all_at_once(new_database) -> None:  # type: ignore[no-untyped-def]
    """A lock that times out refuses the whole group: every append gets that error at once, and none is sent again
    alone (each would wait out its own timeout). The second append, which touched nothing locked, is not recorded."""
    url = await new_database("group_timeout")
    await migrate(url)
    pool = await create_pool(url, max_size=1)  # the lane gets the one connection, with a short lock timeout
    blocker = await asyncpg.connect(url)
    try:
        async with pool.acquire() as conn:
            await conn.execute("SET lock_timeout = '300ms'")
        transaction = blocker.transaction()
        await transaction.start()
        await blocker.execute(
            "SELECT append_events($1, 0, $2::jsonb, NULL)", "enveloppe-held", json.dumps(_documents("enveloppe-held"))
        )
        committer = GroupCommit(pool, on_commit=lambda: None, acquire_timeout=ACQUIRE_TIMEOUT_SECONDS, in_flight=1)
        sizes: list[int] = []
        committer.on_group = sizes.append
        outcomes = await asyncio.gather(
            committer.append("enveloppe-held", 0, _documents("enveloppe-held"), None),
            committer.append("enveloppe-free", 0, _documents("enveloppe-free"), None),
            return_exceptions=True,
        )
        await transaction.rollback()
        assert all(isinstance(o, asyncpg.LockNotAvailableError) for o in outcomes), outcomes
        assert sizes == [2], "sent once, together, never again alone"
        async with pool.acquire() as conn:
            assert await conn.fetchval("SELECT count(*) FROM events") == 0
    finally:
        await blocker.close()
        await pool.close()
