"""The unit of work of financement: the event store bound to one PostgreSQL transaction.

The first append takes the events table's lock until the commit (kernel `append_events`), so the second stream's
optimistic check cannot be overtaken either: both appends are one atomic decision."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from financement.application.ports import UniteDeTravail
from kernel.adapters.runtime import ServiceRuntime
from kernel.ports import EventStore


def unite_de_travail(runtime: ServiceRuntime) -> UniteDeTravail:
    @asynccontextmanager
    async def ouvrir() -> AsyncIterator[EventStore]:
        async with runtime.pool.acquire() as conn, conn.transaction():
            yield runtime.store.bound(conn)

    return ouvrir
