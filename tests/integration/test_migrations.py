"""The kernel's tables evolve through versioned migrations (kernel.adapters.versioned_schema, yoyo-migrations):
each database holds a record of what it applied, a start applies what it lacks once, a failed migration leaves
nothing behind, a database from before versioning is adopted, and a released migration is never edited."""

from __future__ import annotations

import asyncio
import hashlib
import json
import shutil
from pathlib import Path
from uuid import uuid4

import asyncpg
import pytest
from yoyo import get_backend, read_migrations

from kernel.adapters.postgres import PostgresEventStore, create_pool, migrate
from kernel.adapters.versioned_schema import KERNEL_MIGRATIONS, migrate_kernel, pending, yoyo_uri
from kernel.envelopes import envelop
from tests.fixtures import TEST_SIGNERS, context, laureat

pytestmark = pytest.mark.postgres

# Every migration ever released, with the digest of its file: editing one fails here (add a new one instead).
RELEASED = {
    "0001_event_log.sql": "643b62c776ecbca560b61ba48445cf3feaf61fa8a02b0c11748b04c33bd6af30",
    "0002_trace_context.sql": "9cca7c6ac2bb23bc6319fd85682c4fcca87f3bd812695d9b588f3776db31cd60",
    "0002_trace_context.rollback.sql": "4f7982249d51ad37f1d31978029372d6a780fa4bc6dadbdfd820de54e97d6b34",
    "0003_append_groups.sql": "1360b10311c0667837f13d9ba5f453e635dc35c4a13c4b65f6a2909faade6472",
    "0003_append_groups.rollback.sql": "942e3e555a69ca680f8b920b652bc65edd52cf89654e51a349d7dede3202a89e",
}


ALL = ["0001_event_log", "0002_trace_context", "0003_append_groups"]


def test_released_migrations_are_never_edited_and_each_new_one_is_listed() -> None:
    found = {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(KERNEL_MIGRATIONS.glob("*.sql"))
    }
    assert found == RELEASED


async def _tables(url: str) -> set[str]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    finally:
        await conn.close()
    return {row["tablename"] for row in rows}


async def test_a_fresh_database_gets_each_migration_once_and_a_record_of_it(new_database) -> None:  # type: ignore[no-untyped-def]
    url = await new_database("fresh")
    assert pending(url) == ALL
    assert await migrate_kernel(url) == ALL
    assert pending(url) == [] and await migrate_kernel(url) == []
    assert {"events", "consumer_streams", "parked_messages", "_yoyo_migration"} <= await _tables(url)


async def test_instances_starting_together_migrate_once(new_database) -> None:  # type: ignore[no-untyped-def]
    url = await new_database("together")
    applied = await asyncio.gather(*(migrate_kernel(url) for _ in range(4)))
    assert sorted(applied) == [[], [], [], ALL]


async def test_a_database_from_before_versioned_migrations_is_adopted_with_its_log(new_database) -> None:  # type: ignore[no-untyped-def]
    """The previous release ran the same idempotent SQL at each start, without yoyo: its log is kept as it is."""
    url = await new_database("before")
    (recorded,) = envelop("tests", "dossier-t", [laureat("t")], 0, None, context(), TEST_SIGNERS["tests"])
    conn = await asyncpg.connect(url)
    try:
        await conn.execute((KERNEL_MIGRATIONS / "0001_event_log.sql").read_text())
        envelope = json.dumps([recorded.envelope.model_dump(mode="json")])
        assert await conn.fetchval("SELECT append_events($1, 0, $2::jsonb)", "dossier-t", envelope) == "ok"
    finally:
        await conn.close()
    await migrate(url)
    pool = await create_pool(url)
    try:
        history = await PostgresEventStore(pool, producer="tests").read("dossier-t")
        assert [r.envelope for r in history] == [recorded.envelope] and pending(url) == []
    finally:
        await pool.close()


def _directory(tmp_path: Path, **extra: str) -> Path:
    """The kernel's migrations and `extra` ones (file name → SQL) in a directory of their own."""
    shutil.copytree(KERNEL_MIGRATIONS, tmp_path / "migrations")
    for name, sql in extra.items():
        (tmp_path / "migrations" / name).write_text(sql)
    return tmp_path / "migrations"


async def test_a_failed_migration_leaves_nothing_and_stays_pending(new_database, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url = await new_database("failed")
    directory = _directory(tmp_path, **{"0099_broken.sql": "CREATE TABLE half_done (x int);\nSELECT 1 / 0;\n"})
    with pytest.raises(Exception, match="division by zero"):
        await migrate_kernel(url, directory)
    assert "half_done" not in await _tables(url)
    assert pending(url, directory) == [
        "0099_broken"
    ]  # the released ones went through: each migration is its own transaction


async def test_a_later_migration_applies_on_top_and_rolls_back(new_database, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url = await new_database("later")
    assert await migrate_kernel(url) == ALL  # a database of the current release
    directory = _directory(
        tmp_path,
        **{
            "0099_note.sql": "ALTER TABLE operator_actions ADD COLUMN note_interne text;\n",
            "0099_note.rollback.sql": "ALTER TABLE operator_actions DROP COLUMN note_interne;\n",
        },
    )
    assert await migrate_kernel(url, directory) == ["0099_note"]
    columns = "SELECT column_name FROM information_schema.columns WHERE table_name = 'operator_actions'"
    conn = await asyncpg.connect(url)
    try:
        assert "note_interne" in {r["column_name"] for r in await conn.fetch(columns)}
        backend = get_backend(yoyo_uri(url))
        try:
            migrations = read_migrations(str(directory))
            backend.rollback_migrations(backend.to_rollback(migrations).filter(lambda m: m.id == "0099_note"))
        finally:
            backend.connection.close()
        assert "note_interne" not in {r["column_name"] for r in await conn.fetch(columns)}
        assert pending(url, directory) == ["0099_note"]
    finally:
        await conn.close()


async def test_the_previous_release_still_appends_while_the_next_one_rolls_out(new_database) -> None:  # type: ignore[no-untyped-def]
    """0002 adds append_events' trace context; instances of the previous release call the three-argument form until
    they are replaced, and it still appends (without a trace context)."""
    url = await new_database("rolling")
    await migrate(url)
    pool = await create_pool(url)
    try:
        store = PostgresEventStore(pool, producer="tests", signer=TEST_SIGNERS["tests"])
        (recorded,) = await store.append("dossier-t", [laureat("t")], expected_version=0, context=context())
        second = recorded.envelope.model_copy(
            update={"stream_version": 2, "event_id": uuid4(), "previous_hash": recorded.envelope.hash}
        )
        async with pool.acquire() as conn:
            outcome = await conn.fetchval(
                "SELECT append_events($1, $2, $3)", "dossier-t", 1, [second.model_dump(mode="json")]
            )
            rows = await conn.fetch("SELECT version, trace_context FROM events ORDER BY version")
        assert outcome == "ok" and [(r["version"], r["trace_context"]) for r in rows] == [(1, None), (2, None)]
    finally:
        await pool.close()
