"""The unit of work of deposits, withdrawals and relèves: one PostgreSQL transaction in which the event store
and the index of deposits are bound to the same connection (they commit together or not at all)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from candidature.adapters.index_depots import IndexDepotsPostgres
from candidature.application.ports import IndexDepots, UniteDeTravail
from kernel.adapters.runtime import ServiceRuntime
from kernel.ports import EventStore


def unite_de_travail(runtime: ServiceRuntime) -> UniteDeTravail:
    @asynccontextmanager
    async def ouvrir() -> AsyncIterator[tuple[EventStore, IndexDepots]]:
        async with runtime.store.transaction() as store:
            yield store, IndexDepotsPostgres(store.connection)

    return ouvrir


@asynccontextmanager
async def index_en_lecture(runtime: ServiceRuntime) -> AsyncIterator[IndexDepots]:
    async with runtime.pool.acquire() as conn:
        yield IndexDepotsPostgres(conn)
