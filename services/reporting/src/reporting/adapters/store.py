"""The projection in PostgreSQL: live application, rebuild schemas, and the swap between them.

Swap safety while the live consumer runs: every live application takes a shared advisory lock and
only then reads which schema is live; the swap takes the same lock exclusively, so no application is
in flight when the pointer moves and every later one writes to the new schema. The swap happens only
if the rebuilt schema already holds every (stream_id, version) the live consumer has committed;
events that are in flight (claimed but not committed) are applied to the new schema after the swap.
Projection writes are idempotent per fact, so an event the rebuild already holds changes nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple, TypeVar

import asyncpg
import structlog

from contracts import topics
from contracts.catalog import UnknownEventType, decode
from contracts.codec import ReceivedEvent
from contracts.envelope import EventEnvelope
from kernel.adapters.postgres import Connection
from kernel.adapters.proof import YIELD_EVERY, open_and_prove
from kernel.signing import UntrustedEvent, Verifier
from reporting.adapters.facts_aides_sql import read_aides
from reporting.adapters.facts_sql import read_facts
from reporting.adapters.projection import facts_of, project, write
from reporting.adapters.projectors.common import Row
from reporting.adapters.schema import FACT_TABLES, REBUILD_PREFIX, TABLES, Schema
from reporting.application.ports import FactComparison, PreparedBatch, ReplayCounts
from reporting.domain.figures import Facts
from reporting.domain.scdl import AideAttribuee

log = structlog.get_logger(__name__)

T = TypeVar("T")


def producer_of(stream_type: str) -> str | None:
    """The service whose log holds a stream type's events (its topic's service), None for an unknown type."""
    topic = topics.STREAM_TOPICS.get(stream_type)
    return topic.split(".", 1)[0] if topic else None


SWAP_LOCK = 73_100_001  # shared: a live application; exclusive: a swap
REBUILD_LOCK = 73_100_002  # one rebuild at a time

HEADS = """
SELECT stream_id, version, hash, producer, signature FROM {s}.applied_streams WHERE stream_id = ANY($1::text[])"""
# The batch's streams advanced to their last version applied, in one statement at the end of its transaction.
ADVANCE = """
INSERT INTO {s}.applied_streams (stream_id, version, hash, producer, signature)
SELECT * FROM unnest($1::text[], $2::integer[], $3::text[], $4::text[], $5::text[])
ON CONFLICT (stream_id) DO UPDATE
   SET version = EXCLUDED.version, hash = EXCLUDED.hash, producer = EXCLUDED.producer, signature = EXCLUDED.signature"""
TAILS = "SELECT stream_id, hash, producer, signature FROM {s}.applied_streams ORDER BY stream_id"
SKIPPED = """
SELECT DISTINCT stream_id, stream_version FROM parked_messages
 WHERE consumer = $1 AND resolution = 'skipped' AND stream_version IS NOT NULL"""
FACTS = """
SELECT coalesce(c.stream_id, a.stream_id) AS stream_id,
       coalesce(c.version, 0) AS live, coalesce(a.version, 0) AS rebuilt
  FROM (SELECT stream_id, version FROM consumer_streams WHERE consumer = $1 AND version > 0) c
  FULL JOIN {s}.applied_streams a USING (stream_id)"""

APPLIED_BY_STREAM_TYPE = """
SELECT split_part(stream_id, '-', 1) AS kind, sum(version)::bigint AS events FROM consumer_streams
 WHERE consumer = $1 AND version > 0 GROUP BY 1"""

GAPS = """
SELECT count(*) FROM consumer_streams c LEFT JOIN {s}.applied_streams a USING (stream_id)
 WHERE c.consumer = $1 AND c.version > 0 AND (a.version IS NULL OR a.version < c.version)"""


async def project_live(conn: Connection, events: Sequence[ReceivedEvent]) -> None:
    """The live consumer's `apply`: the events of one of its transactions projected, set-based, into whichever schema
    is live. The swap lock is taken first (shared, held to the transaction's end, so no swap can change the live
    schema under it), then the live schema's name is read: once per batch."""
    await conn.execute("SELECT pg_advisory_xact_lock_shared($1)", SWAP_LOCK)
    await project(conn, Schema(await conn.fetchval("SELECT schema_name FROM reporting_live_schema")), events)


@dataclass(frozen=True, slots=True)
class _Prepared:
    """One proven event of a prepared batch: its facts, or (None) why its payload cannot be read."""

    envelope: EventEnvelope
    body: bytes
    facts: Sequence[Row] | None
    error: str = ""


class _Head(NamedTuple):
    """A stream's last applied version in a rebuild schema (applied_streams), in ADVANCE's column order."""

    version: int = 0
    hash: str | None = None
    producer: str | None = None
    signature: str | None = None


class PostgresProjectionStore:
    def __init__(
        self,
        pool: asyncpg.Pool,
        consumer: str,
        verifier: Verifier | None = None,
        skipped: frozenset[tuple[str, int]] | None = None,
    ) -> None:
        self.pool = pool
        self.consumer = consumer  # the live IdempotentConsumer's name, whose dedup records a swap checks
        self.verifier = verifier  # the producers' public keys: a rebuild applies only what they signed
        # what a replay skips; None: what operators skipped on the live consumer, read from its parked messages
        self._skips: set[tuple[str, int]] | None = set(skipped) if skipped is not None else None

    async def live_schema(self) -> str:
        async with self.pool.acquire() as conn:
            return str(await conn.fetchval("SELECT schema_name FROM reporting_live_schema"))

    async def facts(self, schema: str | None, as_of: date | None, known_at: datetime | None = None) -> Facts:
        """Read `schema`, or the live one, as known at a recording time (None: now)."""
        return await self._read(schema, known_at, lambda conn, s: read_facts(conn, s, as_of))

    async def aides(
        self, as_of: date | None, known_at: datetime | None = None, schema: str | None = None
    ) -> list[AideAttribuee]:
        return await self._read(schema, known_at, lambda conn, s: read_aides(conn, s, as_of))

    async def _read(
        self, schema: str | None, known_at: datetime | None, read: Callable[[Connection, Schema], Awaitable[T]]
    ) -> T:
        """Run a read on `schema`, or the live one; retried once if a swap dropped the live schema just read."""
        for attempt in range(2):
            async with self.pool.acquire() as conn:
                name = schema or str(await conn.fetchval("SELECT schema_name FROM reporting_live_schema"))
                try:
                    return await read(conn, Schema(name, known_at))
                except (asyncpg.UndefinedTableError, asyncpg.InvalidSchemaNameError):
                    if schema is not None or attempt == 1:
                        raise
        raise AssertionError("unreachable")

    async def head(self) -> tuple[datetime | None, dict[str, int]]:
        """Where the live projection stands, read in one snapshot: the recording time of its latest fact, and how
        many events of each producer's log it applied (each stream's last version, summed by producer)."""
        async with self.pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
            schema = Schema(str(await conn.fetchval("SELECT schema_name FROM reporting_live_schema")))
            latest = " UNION ALL ".join(f"SELECT max(recorded_at) AS m FROM {{s}}.{table}" for table in FACT_TABLES)
            found = await conn.fetchval(schema.sql(f"SELECT max(m) FROM ({latest}) AS latest"))
            rows = await conn.fetch(APPLIED_BY_STREAM_TYPE, self.consumer)
        positions: dict[str, int] = {}
        for row in rows:
            producer = producer_of(row["kind"])
            if producer is not None:
                positions[producer] = positions.get(producer, 0) + int(row["events"])
        return (found if isinstance(found, datetime) and found.year > 1 else None), dict(sorted(positions.items()))

    @asynccontextmanager
    async def exclusive(self) -> AsyncIterator[bool]:
        """The one-rebuild lock, a session lock on a pooled connection: released at the end, or, when even that
        fails (a second cancellation, a broken connection), ended with its session, never left on a connection
        the pool hands out again (pooled connections go back without a reset: kernel.adapters.postgres)."""
        async with self.pool.acquire() as conn:
            acquired = bool(await conn.fetchval("SELECT pg_try_advisory_lock($1)", REBUILD_LOCK))
            try:
                yield acquired
            finally:
                if acquired:
                    try:
                        await conn.execute("SELECT pg_advisory_unlock($1)", REBUILD_LOCK)
                    except BaseException:
                        conn.terminate()
                        raise

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

    async def prepare(self, bodies: list[bytes], deferred: bool = False) -> PreparedBatch:
        """What can be done to a batch without the database: each body decoded, proven, its payload decoded and its
        facts made, in (stream, version) order. It lets go of the event loop as it goes, so that the batch before
        it is written meanwhile (reporting.application.rebuild).

        `deferred`: the producers' signatures are not checked here but by `unproven_streams` once the replay is
        over: each stream's applied events then form one chain of intact hashes, so the signature of its last one
        vouches for all of them (Verifier.verify_chains), one check per stream instead of one per event. Each
        stream's last applied event keeps its producer (None once two producers wrote in one stream: no signature
        can vouch for that) and its signature for that proof."""
        if self.verifier is None:
            raise RuntimeError("a rebuild needs the producers' public keys to check what it replays")
        counts = ReplayCounts(read=len(bodies))
        proven, refused = await open_and_prove(self.verifier, bodies, signatures=not deferred)
        for refusal in refused:
            log.warning(f"rebuild.{refusal.kind}", error=refusal.reason[:200])
            if refusal.kind == "undecodable":
                counts.unreadable += 1
            else:
                counts.forged += 1
        proven.sort(key=lambda item: (item[1].stream_id, item[1].stream_version))
        prepared: list[_Prepared] = []
        for done, (index, envelope) in enumerate(proven, start=1):
            try:
                received = ReceivedEvent(envelope, decode(envelope.event_type, envelope.schema_version, envelope.data))
            except (UnknownEventType, ValueError) as error:  # the live consumer parks these
                prepared.append(_Prepared(envelope, bodies[index], None, str(error)[:200]))
            else:
                prepared.append(_Prepared(envelope, bodies[index], facts_of(received)))
            if done % YIELD_EVERY == 0:
                await asyncio.sleep(0)
        return PreparedBatch(counts, prepared)

    async def write(self, schema: str, batch: PreparedBatch) -> ReplayCounts:
        """One transaction per batch: exactly version last+1 of each stream, proven and chained (see ReplayCounts),
        its facts written set-based."""
        target, counts = Schema(schema), batch.counts
        events: list[_Prepared] = batch.events
        skips = await self._skipped()
        async with self.pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(target.sql(HEADS), list({e.envelope.stream_id for e in events}))
            heads: dict[str, _Head] = {
                r["stream_id"]: _Head(r["version"], r["hash"], r["producer"], r["signature"]) for r in rows
            }
            moved: set[str] = set()
            facts: list[Row] = []
            for event in events:
                envelope = event.envelope
                key = (envelope.stream_id, envelope.stream_version)
                head = heads.get(envelope.stream_id, _Head())
                if envelope.stream_version <= head.version:
                    counts.duplicates += 1
                    continue
                if envelope.stream_version > head.version + 1:
                    counts.ahead[key] = event.body
                    continue
                if envelope.previous_hash != head.hash:
                    counts.broken_chain += 1
                    continue
                if key in skips:
                    counts.skipped += 1
                elif event.facts is None:
                    log.warning("rebuild.unreadable", stream_id=envelope.stream_id, error=event.error)
                    counts.unreadable += 1
                    continue
                else:
                    facts.extend(event.facts)
                    counts.applied += 1
                one_producer = head.version == 0 or head.producer == envelope.producer
                producer = envelope.producer if one_producer else None
                heads[envelope.stream_id] = _Head(envelope.stream_version, envelope.hash, producer, envelope.signature)
                moved.add(envelope.stream_id)
            await write(conn, target, facts)
            if moved:
                streams = sorted(moved)
                await conn.execute(
                    target.sql(ADVANCE),
                    streams,
                    *(list(column) for column in zip(*(heads[stream] for stream in streams), strict=True)),
                )
        return counts

    async def unproven_streams(self, schema: str) -> list[str]:
        """After a deferred replay: the streams whose last applied event's signature does not vouch for their chain
        (a forged signature somewhere, or two producers in one stream)."""
        assert self.verifier is not None
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(Schema(schema).sql(TAILS))
        unproven = []
        for row in rows:
            try:
                if row["producer"] is None:
                    raise UntrustedEvent("two producers wrote in this stream")
                self.verifier.verify_text(row["producer"], row["hash"], row["signature"], "event")
            except UntrustedEvent as error:
                log.warning("rebuild.unproven_stream", stream_id=row["stream_id"], error=str(error))
                unproven.append(row["stream_id"])
        return unproven

    async def _skipped(self) -> set[tuple[str, int]]:
        """What operators skipped on the live consumer: a rebuild skips the same versions (recorded decisions)."""
        if self._skips is None:
            async with self.pool.acquire() as conn:
                rows = await conn.fetch(SKIPPED, self.consumer)
            self._skips = {(r["stream_id"], r["stream_version"]) for r in rows}
        return self._skips

    async def compare_facts(self, schema: str) -> FactComparison:
        """Both sides apply exactly last+1, so a stream's facts are versions 1..last: compare the lasts."""
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(Schema(schema).sql(FACTS), self.consumer)
        only_live = [(r["stream_id"], r["rebuilt"] + 1, r["live"]) for r in rows if r["live"] > r["rebuilt"]]
        only_rebuilt = [(r["stream_id"], r["live"] + 1, r["rebuilt"]) for r in rows if r["rebuilt"] > r["live"]]
        return FactComparison(
            live=sum(r["live"] for r in rows),
            rebuilt=sum(r["rebuilt"] for r in rows),
            only_live=sorted(only_live),
            only_rebuilt=sorted(only_rebuilt),
        )

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
