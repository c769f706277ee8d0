"""The projection in PostgreSQL: live application, rebuild schemas, and the swap between them.

Swap safety while the live consumer runs: every live application takes a shared advisory lock and
only then reads which schema is live; the swap takes the same lock exclusively, so no application is
in flight when the pointer moves and every later one writes to the new schema. The swap happens only
if the rebuilt schema already holds every (stream_id, version) the live consumer has committed;
events that are in flight (claimed but not committed) are applied to the new schema after the swap.
Projection writes are idempotent per fact, so an event the rebuild already holds changes nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date

import asyncpg
import structlog

from contracts.catalog import UnknownEventType
from contracts.codec import ReceivedEvent, decode_message
from kernel.adapters.postgres import Connection
from reporting.adapters.facts_sql import read_facts
from reporting.adapters.projection import project
from reporting.adapters.schema import REBUILD_PREFIX, TABLES, Schema
from reporting.application.ports import ReplayCounts
from reporting.domain.figures import Facts

log = structlog.get_logger(__name__)

SWAP_LOCK = 73_100_001  # shared: a live application; exclusive: a swap
REBUILD_LOCK = 73_100_002  # one rebuild at a time

CLAIM = """
INSERT INTO {s}.applied_streams AS a (stream_id, version) VALUES ($1, $2)
ON CONFLICT (stream_id) DO UPDATE SET version = EXCLUDED.version WHERE a.version < EXCLUDED.version
RETURNING a.version"""

GAPS = """
SELECT count(*) FROM consumer_streams c LEFT JOIN {s}.applied_streams a USING (stream_id)
 WHERE c.consumer = $1 AND c.version > 0 AND (a.version IS NULL OR a.version < c.version)"""


async def apply_live(conn: Connection, received: ReceivedEvent) -> None:
    """The live consumer's `apply`: project into whichever schema is live, inside the consumer's transaction."""
    await conn.execute("SELECT pg_advisory_xact_lock_shared($1)", SWAP_LOCK)
    name = await conn.fetchval("SELECT schema_name FROM reporting_live_schema")
    await project(conn, Schema(name), received)


class PostgresProjectionStore:
    def __init__(self, pool: asyncpg.Pool, consumer: str) -> None:
        self.pool = pool
        self.consumer = consumer  # the live IdempotentConsumer's name, whose dedup records a swap checks

    async def live_schema(self) -> str:
        async with self.pool.acquire() as conn:
            return str(await conn.fetchval("SELECT schema_name FROM reporting_live_schema"))

    async def facts(self, schema: str | None, as_of: date | None) -> Facts:
        """Read `schema`, or the live one; retried once if a swap dropped the schema just read."""
        for attempt in range(2):
            async with self.pool.acquire() as conn:
                name = schema or str(await conn.fetchval("SELECT schema_name FROM reporting_live_schema"))
                try:
                    return await read_facts(conn, Schema(name), as_of)
                except (asyncpg.UndefinedTableError, asyncpg.InvalidSchemaNameError):
                    if schema is not None or attempt == 1:
                        raise
        raise AssertionError("unreachable")

    @asynccontextmanager
    async def exclusive(self) -> AsyncIterator[bool]:
        async with self.pool.acquire() as conn:
            acquired = bool(await conn.fetchval("SELECT pg_try_advisory_lock($1)", REBUILD_LOCK))
            try:
                yield acquired
            finally:
                if acquired:
                    await conn.execute("SELECT pg_advisory_unlock($1)", REBUILD_LOCK)

    async def create_fresh(self) -> str:
        """Only call under `exclusive()`: schemas of crashed rebuilds are dropped first."""
        live = await self.live_schema()
        async with self.pool.acquire() as conn:
            stale = await conn.fetch("SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1)", REBUILD_PREFIX)
            for row in stale:
                if row["nspname"] != live:
                    await conn.execute(f'DROP SCHEMA "{Schema(row["nspname"]).name}" CASCADE')
            schema = Schema.fresh()
            await conn.execute(schema.sql(TABLES))
        return schema.name

    async def apply(self, schema: str, bodies: list[bytes]) -> ReplayCounts:
        """One transaction per batch; dedup in the schema's own applied_streams."""
        target, counts = Schema(schema), ReplayCounts(read=len(bodies))
        claim = target.sql(CLAIM)
        async with self.pool.acquire() as conn, conn.transaction():
            for body in bodies:
                try:
                    received = decode_message(body)
                except (UnknownEventType, ValueError) as error:  # the live consumer parks these
                    log.warning("rebuild.unreadable", error=str(error))
                    counts.unreadable += 1
                    continue
                envelope = received.envelope
                if await conn.fetchval(claim, envelope.stream_id, envelope.stream_version) is None:
                    counts.duplicates += 1
                    continue
                await project(conn, target, received)
                counts.applied += 1
        return counts

    async def swap(self, schema: str) -> str | None:
        target = Schema(schema)
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", SWAP_LOCK)
            if await conn.fetchval(target.sql(GAPS), self.consumer):
                return None
            previous = await conn.fetchval("SELECT schema_name FROM reporting_live_schema FOR UPDATE")
            await conn.execute("UPDATE reporting_live_schema SET schema_name = $1, since = now()", target.name)
        return str(previous)

    async def drop(self, schema: str) -> None:
        """Drop a rebuild or a former live schema; never the live one."""
        if schema == await self.live_schema():
            raise ValueError(f"{schema} is the live projection")
        async with self.pool.acquire() as conn:
            await conn.execute(f'DROP SCHEMA IF EXISTS "{Schema(schema).name}" CASCADE')
