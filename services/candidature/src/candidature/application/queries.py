"""Read side of the service: a candidature's folded state (no projection needed for one stream)."""
from __future__ import annotations

from kernel.command_handler import load_state
from kernel.ports import EventStore

from candidature.application.handlers import Resultat
from candidature.domain.candidature import decider, stream_id


async def consulter_candidature(store: EventStore, candidature_id: str) -> Resultat | None:
    """The candidature as its events make it, or None when nothing was ever recorded for it."""
    state, version = await load_state(store, stream_id(candidature_id), decider)
    return Resultat(state, version, nouveau=False) if version else None
