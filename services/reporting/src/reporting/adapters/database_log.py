"""Reads the producers' own events tables for a rebuild: the source of truth, whatever the broker kept.

Each producer's table is read in commit order (kernel.adapters.postgres.LOG_AFTER, hence each stream in version
order) through a role that may only read it (DATABASE_LOG_READERS). The replay stops at the transactions that had
ended when it started (their xids are below that moment's horizon); `more()` then reads what committed after.
Rows come out as the envelope's JSON text, the same bytes a consumer decodes from Kafka."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from types import TracebackType
from typing import Any

import asyncpg

READ = """
SELECT position, envelope::text AS body FROM events
 WHERE (transaction_id, position) > (
         coalesce((SELECT transaction_id FROM events WHERE position <= $1 ORDER BY position DESC LIMIT 1), '0'), $1)
   AND transaction_id < least($2::text::xid8, pg_snapshot_xmin(pg_current_snapshot()))
 ORDER BY transaction_id, position
 LIMIT $3"""
HORIZON = "SELECT pg_snapshot_xmin(pg_current_snapshot())::text"
NO_HORIZON = str(2**63 - 1)  # more(): whatever has committed


class DatabaseLog:
    def __init__(self, sources: Mapping[str, str], batch_size: int = 2000) -> None:
        if not sources:
            raise ValueError("no producer database to rebuild from (REBOND_SOURCE_DATABASES)")
        self.sources = dict(sources)
        self.batch_size = batch_size
        self.read_up_to: dict[str, int] = {}
        self._connections: dict[str, asyncpg.Connection[Any]] = {}

    async def __aenter__(self) -> DatabaseLog:
        try:
            for name, url in sorted(self.sources.items()):
                conn = await asyncpg.connect(url, server_settings={"default_transaction_read_only": "on"})
                self._connections[name] = conn
                self.read_up_to[name] = 0
        except BaseException:
            await self._close()
            raise
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self._close()

    async def _close(self) -> None:
        for conn in self._connections.values():
            await conn.close()
        self._connections.clear()

    async def until_end(self) -> AsyncIterator[list[bytes]]:
        for name, conn in self._connections.items():
            horizon = str(await conn.fetchval(HORIZON))
            while batch := await self._read(name, conn, horizon):
                yield batch

    async def more(self, timeout: float) -> list[bytes]:
        """What was appended since; waits up to `timeout` when there is nothing yet."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            for name, conn in self._connections.items():
                if batch := await self._read(name, conn, NO_HORIZON):
                    return batch
            if asyncio.get_running_loop().time() >= deadline:
                return []
            await asyncio.sleep(min(0.1, timeout))

    async def _read(self, name: str, conn: asyncpg.Connection[Any], horizon: str) -> list[bytes]:
        rows = await conn.fetch(READ, self.read_up_to[name], horizon, self.batch_size)
        if rows:
            self.read_up_to[name] = int(rows[-1]["position"])
        return [str(row["body"]).encode() for row in rows]
