"""Use cases on a Dossier: each command loads its stream, decides and appends (via the kernel); reads
check who may see what and record that they did (§7)."""

from __future__ import annotations

from datetime import date
from typing import Protocol
from zoneinfo import ZoneInfo

from contracts.instruction.v1 import VueDossier
from instruction.domain.acces import vue_autorisee
from instruction.domain.commands import Commande, ConsignerConsultation
from instruction.domain.decider import decider
from instruction.domain.dossier import Dossier, Phase, stream_id
from kernel.command_handler import handle_command, load_state
from kernel.ports import CommandContext, EventStore, RecordedEvent

PARIS = ZoneInfo("Europe/Paris")


def jour(context: CommandContext) -> date:
    """The business day of a request: dates of the programme are French civil dates."""
    return context.occurred_at.astimezone(PARIS).date()


async def traiter(store: EventStore, command: Commande, context: CommandContext) -> list[RecordedEvent]:
    """Every command names its candidature, whose dossier stream it goes to."""
    return await handle_command(store, stream_id(command.candidature_id), decider, command, context)


async def consulter_dossier(store: EventStore, candidature_id: str) -> tuple[Dossier, int] | None:
    """The folded dossier and its version, or None when instruction never heard of it."""
    state, version = await load_state(store, stream_id(candidature_id), decider)
    return None if state.phase is Phase.AUCUNE else (state, version)


async def lire_dossier(
    store: EventStore, candidature_id: str, context: CommandContext
) -> tuple[Dossier, int, VueDossier] | None:
    """The dossier as the caller may see it (NonHabilite otherwise); the read itself is recorded."""
    found = await consulter_dossier(store, candidature_id)
    if found is None:
        return None
    state, version = found
    vue = vue_autorisee(state, context.actor, jour(context))
    lecture = ConsignerConsultation(
        candidature_id=candidature_id,
        consulte_par=context.actor.id,
        role=context.actor.role,
        vue=vue,
        consulte_le=context.occurred_at,
    )
    await traiter(store, lecture, context)
    return state, version, vue


class Historiques(Protocol):
    """Port: the recorded events of every dossier stream, by stream id."""

    async def dossiers(self) -> dict[str, list[RecordedEvent]]: ...


async def lister_dossiers(
    historiques: Historiques, vague: int | None = None, phase: Phase | None = None
) -> list[tuple[str, Dossier, int]]:
    """Every dossier (candidature id, state, version), filtered by wave and phase (a few hundred at most:
    folded on read)."""
    found = []
    for stream, history in sorted((await historiques.dossiers()).items()):
        state = decider.fold(r.event for r in history)
        wave = state.candidature.vague if state.candidature else (state.releve.vague if state.releve else None)
        if (vague is None or wave == vague) and (phase is None or state.phase is phase):
            found.append((stream.removeprefix("dossier-"), state, len(history)))
    return found
