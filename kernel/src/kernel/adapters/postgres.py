"""PostgreSQL adapters: the event store (optimistic concurrency, hash chain, a log read in commit order)."""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, TypeAlias

import asyncpg
import orjson
import structlog
from asyncpg.pool import PoolConnectionProxy

from contracts.base import DomainEvent
from contracts.catalog import decode
from contracts.envelope import EventEnvelope
from kernel.adapters.group_commit import GroupCommit
from kernel.adapters.tracing import current_trace_context
from kernel.adapters.versioned_schema import MIGRATION_LOCK, migrate_kernel
from kernel.envelopes import envelop_and_render
from kernel.ports import CommandContext, ConcurrencyError, DuplicateEvent, Read, RecordedEvent
from kernel.signing import Signer

# What pool.acquire() yields (a proxy) and a bare connection alike: every query helper accepts either.
if TYPE_CHECKING:
    Connection: TypeAlias = asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]
else:
    Connection = asyncpg.Connection | PoolConnectionProxy  # not subscriptable at run time

log = structlog.get_logger(__name__)
APPEND_CHANNEL = "events_appended"

# The log after a checkpoint, in commit order, without any lock on the writers' side. `position` alone is not
# commit order (a transaction may take a lower position and commit later), so the order is (transaction_id,
# position), and only rows whose transaction is older than every running one are read: whatever commits later
# sorts after them. A checkpoint is the position of the last row read; its transaction_id is looked up (for a
# position that holds no row, an operator's choice, that of the nearest row below).
LOG_AFTER = """
SELECT {columns} FROM events
 WHERE (transaction_id, position) > (
         coalesce((SELECT transaction_id FROM events WHERE position <= $1 ORDER BY position DESC LIMIT 1), '0'), $1)
   AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
 ORDER BY transaction_id, position
 LIMIT $2"""

# How many rows follow a checkpoint in commit order (committed, whether or not they can be read yet).
LOG_COUNT_AFTER = """
SELECT count(*) FROM events
 WHERE (transaction_id, position) > (
         coalesce((SELECT transaction_id FROM events WHERE position <= $1 ORDER BY position DESC LIMIT 1), '0'), $1)"""


def _jsonb_text(value: Any) -> str:
    """A jsonb parameter's text: orjson's (a few times faster on an append's envelopes), the standard library's for
    what orjson does not write (an integer beyond 64 bits). Reading stays with the standard library, which keeps such
    an integer exact where orjson would read a float."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return json.dumps(value)


async def _init_connection(conn: Connection) -> None:
    await conn.set_type_codec("jsonb", encoder=_jsonb_text, decoder=json.loads, schema="pg_catalog")


# A frozen or overloaded database answers an error in bounded time instead of holding requests (HTTP answers 503):
# no statement runs longer, no lock is waited for longer, no transaction stays idle longer.
SESSION_LIMITS = {"statement_timeout": "15000", "lock_timeout": "10000", "idle_in_transaction_session_timeout": "60000"}
ACQUIRE_TIMEOUT_SECONDS = 10.0


async def _keep_session(conn: Connection) -> None:
    """What a connection goes back to the pool with: asyncpg has already rolled back a transaction left open and
    dropped the Python listeners; nothing else is reset, so giving a connection back costs no round trip (asyncpg's
    default sends `RESET ALL; UNLISTEN *; CLOSE ALL; SELECT pg_advisory_unlock_all()` at every release, which doubled
    the round trips of an append). Rebond keeps no session state on pooled connections: settings are the pool's
    (SESSION_LIMITS), cursors live in transactions, locks are transaction-scoped but two: the relay's lease, whose
    connection also LISTENs, is closed, not given back (kernel.adapters.relay), and reporting's one-rebuild lock is
    released, or its connection closed if that fails (reporting.adapters.store.exclusive)."""


async def create_pool(dsn: str, *, min_size: int = 1, max_size: int = 10) -> asyncpg.Pool:
    """A pool whose jsonb columns come back as Python objects, with bounded statements (SESSION_LIMITS), and whose
    connections go back without a reset query (`_keep_session`)."""
    return await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        init=_init_connection,
        reset=_keep_session,
        command_timeout=20,
        server_settings=SESSION_LIMITS,
    )


async def migrate(
    dsn: str,
    *derived_sql: str,
    service_dsn: str | None = None,
    log_readers: Sequence[str] = (),
) -> None:
    """Bring the kernel's tables to their latest version (kernel.adapters.versioned_schema), then re-assert the
    service's derived tables (`derived_sql`: idempotent statements; read models rebuilt from the log, not migrated).

    With `service_dsn` (the service's own role), `dsn` is the migration role's: it owns the kernel's tables, grants
    the service role only what SERVICE_GRANTS lists (the log: read, and append through `append_events`), and the
    service's derived tables are created by the service role. `log_readers` are roles that may read the log and
    nothing else (rebuilds, audits). Grants follow the deployment's settings, so they are re-asserted at each start
    rather than versioned."""
    await migrate_kernel(dsn)
    owner_conn = await asyncpg.connect(dsn)
    try:
        owner = str(await owner_conn.fetchval("SELECT current_user"))
        grants = [f"GRANT SELECT ON events, log_checkpoints TO {_role(reader)}" for reader in log_readers]
        if service_dsn is None:
            await _run_locked(owner_conn, MIGRATION_LOCK, [*grants, *derived_sql])
            return
        service_conn = await asyncpg.connect(service_dsn)
        try:
            role = str(await service_conn.fetchval("SELECT current_user"))
            if role != owner:
                grants.insert(0, SERVICE_GRANTS.replace("{role}", _role(role)))
            await _run_locked(owner_conn, MIGRATION_LOCK, grants)
            await _run_locked(service_conn, MIGRATION_LOCK + 1, derived_sql)
        finally:
            await service_conn.close()
    finally:
        await owner_conn.close()


async def _run_locked(conn: Connection, lock: int, statements: Sequence[str]) -> None:
    """Run statements under an advisory lock: several processes may start at once."""
    await conn.execute("SET statement_timeout = 0")  # waiting for another process's migration is fine
    await conn.execute("SELECT pg_advisory_lock($1)", lock)
    try:
        for sql in statements:
            await conn.execute(sql)
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", lock)


# What a service's role may do on the kernel's tables: read the log and append to it through `append_events` and
# `append_groups` (SECURITY DEFINER), never update, delete, truncate or alter it (it owns none of them, so it cannot
# disable the append-only triggers either); keep its relay's and consumers' bookkeeping; record operator actions,
# never change them. It may create its own tables (CREATE on the schema and the database: reporting's rebuild schemas).
SERVICE_GRANTS = """
GRANT USAGE, CREATE ON SCHEMA public TO {role};
GRANT SELECT ON events TO {role};
REVOKE ALL ON FUNCTION append_events(text, integer, jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION append_events(text, integer, jsonb, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION append_events(text, integer, jsonb, text) TO {role};
REVOKE ALL ON FUNCTION append_groups(text[], integer[], jsonb, text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION append_groups(text[], integer[], jsonb, text[]) TO {role};
GRANT SELECT, INSERT ON operator_actions, access_log, log_checkpoints TO {role};
GRANT SELECT, INSERT, UPDATE, DELETE
   ON relay_checkpoints, consumer_streams, parked_messages, relay_offsets, business_clock, log_checkpoints_published
   TO {role};
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {role};
DO $$ BEGIN EXECUTE format('GRANT CREATE ON DATABASE %I TO {role}', current_database()); END $$;
"""

_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _role(name: str) -> str:
    """A role name as a quoted identifier (only plain lower-case names are accepted: they come from settings)."""
    if not _ROLE.fullmatch(name):
        raise ValueError(f"invalid role name: {name!r}")
    return f'"{name}"'


def to_recorded(envelope_json: dict[str, Any]) -> RecordedEvent:
    envelope = EventEnvelope.model_validate(envelope_json)
    return RecordedEvent(envelope, decode(envelope.event_type, envelope.schema_version, envelope.data))


class PostgresEventStore:
    """Event store over one `events` table.

    Appends take no lock beyond the rows they insert: the primary key (stream_id, version) makes a stale writer
    fail, and readers follow the commit order (LOG_AFTER), so commits are not serialised. Appends made outside a
    caller's transaction share commits with those of concurrent commands (kernel.adapters.group_commit). The relays
    are told by NOTIFY after the commit, never inside it (a NOTIFY takes a lock held to the end of its transaction).
    Pass `conn` (`bound`) to append inside the caller's transaction, or use `transaction()`."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        producer: str,
        conn: Connection | None = None,
        signer: Signer | None = None,
        identity: str | None = None,
        on_append: Callable[[float], None] | None = None,
        announcer: Announcer | None = None,
        committer: GroupCommit | None = None,
    ) -> None:
        self.pool = pool
        self.announcer = announcer or Announcer(pool)  # shared with the stores bound from this one
        self.committer = committer or GroupCommit(  # shared likewise
            pool, on_commit=self.announcer.poke, acquire_timeout=ACQUIRE_TIMEOUT_SECONDS
        )
        self.producer = producer
        self.signer = signer
        self._conn = conn
        self.on_append = on_append  # told how long each append took (the service's metrics)
        self.identity = identity or uuid.uuid4().hex  # the state cache's key: this store and those bound from it
        self.appended = False  # a bound store: something was appended in its transaction, to announce after it

    @property
    def in_transaction(self) -> bool:
        """True when bound to a caller's transaction (see kernel.command_handler.stream_lock)."""
        return self._conn is not None

    def bound(self, conn: Connection) -> PostgresEventStore:
        """The same store, working inside the transaction open on `conn`."""
        return PostgresEventStore(
            self.pool, self.producer, conn, self.signer, self.identity, self.on_append, self.announcer, self.committer
        )

    @property
    def connection(self) -> Connection:
        """The transaction's connection of a bound store (for adapters that must commit with its events)."""
        if self._conn is None:
            raise RuntimeError("only a store bound to a transaction has a connection")
        return self._conn

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[PostgresEventStore]:
        """This store bound to a new transaction: what is appended through it commits together or not at all;
        the relays are told once it has committed."""
        async with self.pool.acquire(timeout=ACQUIRE_TIMEOUT_SECONDS) as conn:
            bound = self.bound(conn)
            async with conn.transaction():
                yield bound
        if bound.appended:
            self.announcer.poke()

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[Connection]:
        if self._conn is not None:
            yield self._conn
        else:
            async with self.pool.acquire(timeout=ACQUIRE_TIMEOUT_SECONDS) as conn:
                yield conn

    async def read(self, stream_id: str) -> list[RecordedEvent]:
        async with self._connection() as conn:
            rows = await conn.fetch("SELECT envelope FROM events WHERE stream_id = $1 ORDER BY version", stream_id)
        return [to_recorded(row["envelope"]) for row in rows]

    async def read_after(self, stream_id: str, version: int) -> list[RecordedEvent]:
        async with self._connection() as conn:
            rows = await conn.fetch(
                "SELECT envelope FROM events WHERE stream_id = $1 AND version > $2 ORDER BY version", stream_id, version
            )
        return [to_recorded(row["envelope"]) for row in rows]

    async def read_streams(self, prefix: str) -> dict[str, list[RecordedEvent]]:
        """Every stream of a type in one query (ordered by stream, then version)."""
        async with self._connection() as conn:
            rows = await conn.fetch(
                "SELECT stream_id, envelope FROM events WHERE starts_with(stream_id, $1) ORDER BY stream_id, version",
                prefix,
            )
        streams: dict[str, list[RecordedEvent]] = {}
        for row in rows:
            streams.setdefault(row["stream_id"], []).append(to_recorded(row["envelope"]))
        return streams

    async def append(
        self,
        stream_id: str,
        events: Sequence[DomainEvent],
        expected_version: int,
        context: CommandContext,
        head_hash: str | None = None,
    ) -> list[RecordedEvent]:
        """One round trip: out of a caller's transaction, `append_groups` with the appends of concurrent commands
        (kernel.adapters.group_commit); in one, `append_events`. Both check that the head has not moved and that
        the events chain to it, and insert, in one statement. A second round trip before it reads the head's hash,
        only when the caller does not know it (`head_hash`) and the stream is not new. Out of a caller's
        transaction, the relays are then woken by the Announcer, off this call's path."""
        if not events:
            return []
        started = time.perf_counter()
        previous = head_hash
        if previous is None and expected_version > 0:
            previous = await self._head_hash(stream_id, expected_version)
        rendered = envelop_and_render(
            self.producer, stream_id, events, expected_version, previous, context, self.signer
        )
        sealed = [recorded for recorded, _ in rendered]
        documents = [document for _, document in rendered]
        if self._conn is None:
            outcome = await self.committer.append(stream_id, expected_version, documents, current_trace_context())
        else:
            outcome = await self._conn.fetchval(
                "SELECT append_events($1, $2, $3, $4)", stream_id, expected_version, documents, current_trace_context()
            )
        if self.on_append is not None:
            self.on_append(time.perf_counter() - started)
        if outcome == "duplicate":
            raise DuplicateEvent(stream_id)
        if outcome != "ok":
            raise ConcurrencyError(stream_id, expected_version)
        self.appended = True
        return sealed

    async def _head_hash(self, stream_id: str, expected_version: int) -> str | None:
        """The hash of the stream's head, which must be at `expected_version` (else a ConcurrencyError)."""
        async with self._connection() as conn:
            head = await conn.fetchrow(
                "SELECT version, envelope->>'hash' AS hash FROM events WHERE stream_id = $1 "
                "ORDER BY version DESC LIMIT 1",
                stream_id,
            )
        if (head["version"] if head else 0) != expected_version:
            raise ConcurrencyError(stream_id, expected_version)
        return str(head["hash"]) if head else None

    async def read_log(self, after_position: int, limit: int = 1000) -> list[tuple[int, dict[str, Any]]]:
        """The service's log after a checkpoint in commit order (LOG_AFTER), for relays and audits: pass the
        position of the last row read to read on."""
        async with self._connection() as conn:
            rows = await conn.fetch(LOG_AFTER.format(columns="position, envelope"), after_position, limit)
        return [(row["position"], row["envelope"]) for row in rows]


class Announcer:
    """Wakes the relays after commits without holding up the committer: `poke()` returns at once; one NOTIFY is in
    flight at a time, on a connection of its own, and the pokes made meanwhile are covered by one more, sent no sooner
    than `interval` seconds after the last (under load, commits come every fraction of a millisecond, and a NOTIFY is
    a transaction of its own that takes the notification queue's lock: one per commit would double the database's
    commits). A NOTIFY that fails is only logged: the relays also poll (kernel.adapters.relay)."""

    def __init__(self, pool: asyncpg.Pool, interval: float = 0.002) -> None:
        self.pool = pool
        self.interval = interval
        self._task: asyncio.Task[None] | None = None
        self._again = False

    def poke(self) -> None:
        if self._task is not None and not self._task.done():
            self._again = True
            return
        self._task = asyncio.get_running_loop().create_task(self._notify())

    async def _notify(self) -> None:
        while True:
            self._again = False
            try:
                async with self.pool.acquire(timeout=ACQUIRE_TIMEOUT_SECONDS) as conn:
                    await announce(conn)
            except Exception as error:  # noqa: BLE001 - a pool closing, a database away: the relays poll
                log.info("store.announce_failed", error=repr(error))
                return
            await asyncio.sleep(self.interval)
            if not self._again:
                return


async def announce(conn: Connection) -> None:
    """Wake the relays listening on APPEND_CHANNEL (after a commit: inside one, it would serialise commits)."""
    await conn.execute(f"NOTIFY {APPEND_CHANNEL}")


class PostgresAccessLog:
    """The access log in the service's database (table access_log, append-only)."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def record(self, read: Read) -> None:
        await self.pool.execute(
            "INSERT INTO access_log (read_at, stream_id, stream_version, reader_id, reader_role, reader_scope,"
            " purpose, correlation_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            read.at,
            read.stream_id,
            read.version,
            read.reader.id,
            read.reader.role.value,
            read.reader.scope,
            read.purpose,
            read.correlation_id,
        )

    async def recent_reads(self, reader_id: str, seconds: float) -> int:
        query = (
            "SELECT count(*) FROM access_log WHERE reader_id = $1 AND recorded_at > now() - make_interval(secs => $2)"
        )
        return int(await self.pool.fetchval(query, reader_id, seconds))
