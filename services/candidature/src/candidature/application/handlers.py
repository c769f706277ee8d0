"""Command handlers of the candidature service: business time comes from the CommandContext."""
from __future__ import annotations

from dataclasses import dataclass

from kernel.command_handler import handle_command, load_state
from kernel.ports import CommandContext, EventStore

from candidature.domain.candidature import Candidature, decider, stream_id
from candidature.domain.commands import DeposerCandidature, DossierCandidature


@dataclass(frozen=True, slots=True)
class Resultat:
    """The candidature after the command, its stream version, and whether the command recorded anything."""

    candidature: Candidature
    stream_version: int
    nouveau: bool


async def deposer_candidature(store: EventStore, dossier: DossierCandidature, context: CommandContext) -> Resultat:
    """Deposit `dossier` at the context's instant; a repeated identical deposit records nothing."""
    command = DeposerCandidature.model_validate({**dict(dossier), "deposee_le": context.occurred_at})
    stream = stream_id(command.candidature_id)
    recorded = await handle_command(store, stream, decider, command, context)
    state, version = await load_state(store, stream, decider)
    return Resultat(state, version, nouveau=bool(recorded))
