"""Projection of the reported events into fact rows of a schema (the same code for live and rebuild).

Every write is idempotent on the fact's key (ON CONFLICT DO NOTHING): applying an event twice to a
schema changes nothing, which is what makes a swap to a rebuilt schema safe (see store.py). Facts are
independent rows joined only when read, so the order in which topics interleave never changes a figure. Each fact
carries its event's recording time (`recorded_at`, the last parameter of every INSERT): the figures "as known at"
a time read only the facts recorded by then."""

from __future__ import annotations

from contracts.codec import ReceivedEvent
from kernel.adapters.postgres import Connection
from reporting.adapters.projectors import financement, mission, projets, selection
from reporting.adapters.projectors.common import Projector
from reporting.adapters.schema import Schema

PROJECTORS: dict[type, Projector] = {
    **selection.PROJECTORS,
    **mission.PROJECTORS,
    **projets.PROJECTORS,
    **financement.PROJECTORS,
}


async def project(conn: Connection, schema: Schema, received: ReceivedEvent) -> bool:
    """Write the event's facts into `schema`; False for the event types reporting ignores.

    Ignored on purpose (§7, nothing of a dossier or an instruction file is public): drafts and their
    edits, reads of a dossier, experts and their opinions, criteria assessments, complements, the
    committee's and the SGPI's opinions; and the other services' internal copies (CandidatureRecue, …)."""
    projector = PROJECTORS.get(type(received.event))
    if projector is None:
        return False
    await projector(conn, schema, received.envelope, received.event)
    return True
