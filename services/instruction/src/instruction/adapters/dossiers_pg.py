"""Every dossier's history in one query, for the national list (DESIGN: a projection table would
replace it if the number of candidatures ever grew beyond a few hundred)."""

from __future__ import annotations

from collections import defaultdict

import asyncpg

from kernel.ports import RecordedEvent
from kernel.postgres import to_recorded


class HistoriquesPostgres:
    """Implements application.handlers.Historiques on the service's events table."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def dossiers(self) -> dict[str, list[RecordedEvent]]:
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT stream_id, envelope FROM events WHERE stream_id LIKE 'dossier-%' ORDER BY stream_id, version"
            )
        histories: dict[str, list[RecordedEvent]] = defaultdict(list)
        for row in rows:
            histories[row["stream_id"]].append(to_recorded(row["envelope"]))
        return dict(histories)
