"""Projection of the reported events into fact rows of a schema (the same code for live and rebuild).

Every write is idempotent on the fact's key (ON CONFLICT DO NOTHING): applying an event twice to a
schema changes nothing, which is what makes a swap to a rebuilt schema safe (see store.py). Facts are
independent rows joined only when read, so the order in which topics interleave never changes a figure. Each fact
carries its event's recording time (`recorded_at`, the last parameter of every INSERT): the figures "as known at"
a time read only the facts recorded by then.

Set-based: the events of a batch become rows (pure projectors), and the rows are written with one pipelined
`executemany` per kind of fact, in the order the events came. Writing them one INSERT per event cost a round trip
each and held a projection to a few thousand events per second."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from contracts.codec import ReceivedEvent
from kernel.adapters.postgres import Connection
from reporting.adapters import rollups
from reporting.adapters.projectors import financement, mission, projets, selection
from reporting.adapters.projectors.common import Projector, Row
from reporting.adapters.schema import Schema

PROJECTORS: dict[type, Projector] = {
    **selection.PROJECTORS,
    **mission.PROJECTORS,
    **projets.PROJECTORS,
    **financement.PROJECTORS,
}


def facts_of(received: ReceivedEvent) -> Sequence[Row]:
    """The event's facts; none for the event types reporting ignores.

    Ignored on purpose (§7, nothing of a dossier or an instruction file is public): drafts and their
    edits, reads of a dossier, experts and their opinions, criteria assessments, complements, the
    committee's and the SGPI's opinions; and the other services' internal copies (CandidatureRecue, …)."""
    projector = PROJECTORS.get(type(received.event))
    return () if projector is None else projector(received.envelope, received.event)


async def write(conn: Connection, schema: Schema, rows: Sequence[Row]) -> None:
    """Insert the rows into `schema`, one `executemany` per statement (first seen, first written), then recompute
    the roll-ups they touched (reporting.adapters.rollups), in the same transaction."""
    by_statement: dict[str, list[tuple[Any, ...]]] = {}
    for row in rows:
        by_statement.setdefault(row.statement, []).append(row.values)
    for statement, values in by_statement.items():
        await conn.executemany(schema.sql(statement), values)
    await rollups.refresh(conn, schema, rows)


async def project(conn: Connection, schema: Schema, events: Iterable[ReceivedEvent]) -> None:
    """Write the events' facts into `schema`, set-based."""
    await write(conn, schema, [row for received in events for row in facts_of(received)])
