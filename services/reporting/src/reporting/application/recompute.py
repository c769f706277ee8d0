"""Recompute a publication's content from the producers' logs alone, in a schema of its own: what an auditor does,
years later, with the databases (or the topics) and the public keys, to prove a published figure (rebond_audit).

The replay applies what a rebuild applies (each stream's version last+1, chained, signed by its producer), then
the content is computed as of the publication's date and as known at its recording time: the same digest means the
published figures are what the log said then."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from reporting.application.ports import EventLog, ProjectionStore, ReplayCounts
from reporting.application.rebuild import replayed
from reporting.domain import publication as p


@dataclass(frozen=True)
class Recalcul:
    contenu: dict[str, Any]
    digest: str
    counts: ReplayCounts


async def recalculer(
    store: ProjectionStore,
    log: EventLog,
    as_of: date,
    known_at: datetime | None,
    progress: Callable[[int], object] | None = None,
) -> Recalcul:
    """Replay the whole log into a fresh schema, compute the content, drop the schema; `progress(n)` is told how
    many messages each batch held."""
    async with replayed(store, log, progress) as replay:
        try:
            facts = await store.facts(replay.schema, as_of, known_at)
            contenu = p.contenu(facts, as_of, await store.aides(as_of, known_at, schema=replay.schema))
        finally:
            await store.drop(replay.schema)
    return Recalcul(contenu, p.digest(contenu), replay.counts)
