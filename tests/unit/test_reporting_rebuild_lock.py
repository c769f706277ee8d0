"""The one-rebuild lock is a session lock on a pooled connection, and pooled connections go back without a reset: a
lock whose release fails must end with its connection, never be handed out with it (reporting.adapters.store)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from reporting.adapters.store import PostgresProjectionStore


class FakeConnection:
    def __init__(self, unlock_fails: bool) -> None:
        self.unlock_fails, self.terminated, self.statements = unlock_fails, False, list[str]()

    async def fetchval(self, sql: str, *args: Any) -> bool:
        self.statements.append(sql)
        return True

    async def execute(self, sql: str, *args: Any) -> str:
        self.statements.append(sql)
        if "unlock" in sql and self.unlock_fails:
            raise ConnectionResetError("the connection broke")
        return "SELECT 1"

    def terminate(self) -> None:
        self.terminated = True


class FakePool:
    def __init__(self, conn: FakeConnection) -> None:
        self.conn = conn

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[FakeConnection]:
        yield self.conn


@pytest.mark.parametrize("unlock_fails", [False, True])
async def test_the_rebuild_lock_is_released_or_dies_with_its_connection(unlock_fails: bool) -> None:
    conn = FakeConnection(unlock_fails)
    store = PostgresProjectionStore(FakePool(conn), consumer="reporting.projection")  # type: ignore[arg-type]
    try:
        async with store.exclusive() as acquired:
            assert acquired
    except ConnectionResetError:
        assert unlock_fails
    assert any("pg_advisory_unlock" in sql for sql in conn.statements)
    assert conn.terminated == unlock_fails  # released: the connection goes back; not released: it is closed
