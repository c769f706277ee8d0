"""Use cases on a Dossier: each one loads its stream, decides and appends (via the kernel), or reads it."""
from __future__ import annotations

from kernel.command_handler import handle_command, load_state
from kernel.ports import CommandContext, EventStore, RecordedEvent

from instruction.domain.commands import DeciderSelection, EnregistrerCandidature, QualifierProjet
from instruction.domain.decider import decider
from instruction.domain.dossier import Dossier, Phase, stream_id


async def enregistrer_candidature(
    store: EventStore, command: EnregistrerCandidature, context: CommandContext
) -> list[RecordedEvent]:
    return await handle_command(store, stream_id(command.candidature_id), decider, command, context)


async def decider_selection(
    store: EventStore, command: DeciderSelection, context: CommandContext
) -> list[RecordedEvent]:
    return await handle_command(store, stream_id(command.candidature_id), decider, command, context)


async def qualifier_projet(
    store: EventStore, command: QualifierProjet, context: CommandContext
) -> list[RecordedEvent]:
    """The territory's stream is its winning candidature's dossier."""
    return await handle_command(store, stream_id(command.territoire_id), decider, command, context)


async def consulter_dossier(store: EventStore, candidature_id: str) -> tuple[Dossier, int] | None:
    """The folded dossier and its version, or None when instruction never heard of it."""
    state, version = await load_state(store, stream_id(candidature_id), decider)
    return None if state.phase is Phase.AUCUNE else (state, version)
