"""Every mission stream of the service's events table, for the list of missions and the watchers."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from contracts.base import DomainEvent
from kernel.postgres import to_recorded

PREFIX = "mission-"


class HistoriquesPostgres:
    """HistoriquesMissions over PostgreSQL: one query, folded by the caller (tens of missions, a few
    dozen events each)."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def missions(self) -> dict[str, Sequence[DomainEvent]]:
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT stream_id, envelope FROM events WHERE starts_with(stream_id, $1) ORDER BY stream_id, version",
                PREFIX,
            )
        found: dict[str, list[DomainEvent]] = {}
        for row in rows:
            found.setdefault(row["stream_id"].removeprefix(PREFIX), []).append(to_recorded(row["envelope"]).event)
        return found
