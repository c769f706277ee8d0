"""The kernel's tables (the log and its bookkeeping) evolve through versioned migrations, applied with
yoyo-migrations: each database records which migrations it holds (`_yoyo_migration`), each start applies what it
lacks, in order, each migration in one transaction.

A released migration is never edited (tests/integration/test_migrations.py holds their digests): a change is a new
file `NNNN_what.sql` in kernel/adapters/migrations, with its `.rollback.sql` when it can be undone. The first one,
`0001_event_log`, is written idempotently (IF NOT EXISTS), so a database created before migrations were versioned
is adopted as it stands. A service's derived tables (read models, reporting's projection) are not migrated: they are
re-asserted at each start and rebuilt from the log when their shape changes.

Concurrent starts (several instances of a service) are serialised by a PostgreSQL advisory lock on the migrating
connection, not by yoyo's lock row: a session lock dies with its process, a lock row left by a crash would stop
every later start until someone broke it. An operator may use yoyo's own command line on the same directory:

    yoyo list --database "postgresql+psycopg://…" kernel/src/kernel/adapters/migrations"""

from __future__ import annotations

import asyncio
from importlib.resources import files
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import structlog
from yoyo import get_backend, read_migrations

log = structlog.get_logger(__name__)

KERNEL_MIGRATIONS = Path(str(files("kernel.adapters").joinpath("migrations")))
MIGRATION_LOCK = 4242  # the advisory lock every migrating process takes (also the derived schemas' own runs)


def yoyo_uri(dsn: str) -> str:
    """An asyncpg DSN as yoyo's URI for psycopg 3 (the same host, credentials, database and options)."""
    parts = urlsplit(dsn)
    if parts.scheme not in ("postgres", "postgresql"):
        raise ValueError(f"not a PostgreSQL URL: {parts.scheme!r}")
    return urlunsplit(parts._replace(scheme="postgresql+psycopg"))


def pending(dsn: str, directory: Path = KERNEL_MIGRATIONS) -> list[str]:
    """The migrations of `directory` the database does not hold yet, in the order they would be applied."""
    backend = get_backend(yoyo_uri(dsn))
    try:
        return [migration.id for migration in backend.to_apply(read_migrations(str(directory)))]
    finally:
        backend.connection.close()


def apply_pending(dsn: str, directory: Path = KERNEL_MIGRATIONS) -> list[str]:
    """Apply, under the migration lock, the migrations the database lacks; returns their ids (blocking: see
    `migrate_kernel`). The lock is taken first, on a connection of its own, so that yoyo's own tables are created
    by one process at a time too."""
    with psycopg.connect(dsn, autocommit=True) as guard:
        guard.execute("SET statement_timeout = 0")  # waiting for another process's migrations is fine
        guard.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK,))
        backend = get_backend(yoyo_uri(dsn))
        try:
            migrations = backend.to_apply(read_migrations(str(directory)))
            backend.apply_migrations(migrations)
        finally:
            backend.connection.close()
    applied = [migration.id for migration in migrations]
    if applied:
        log.info("schema.migrated", applied=applied)
    return applied


async def migrate_kernel(dsn: str, directory: Path = KERNEL_MIGRATIONS) -> list[str]:
    """`apply_pending` off the event loop (yoyo speaks DB-API: psycopg, synchronous)."""
    return await asyncio.to_thread(apply_pending, dsn, directory)
