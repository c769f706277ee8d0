"""Use cases on a Mission: each command loads its stream, decides and appends (via the kernel) and answers with
the decision; reads fold it."""

from __future__ import annotations

from instruction.mission.domain.commands import Commande
from instruction.mission.domain.decider import decider
from instruction.mission.domain.mission import EtatMission, Evenement, Mission, stream_id
from kernel.command_handler import Decision, handle_command, load_state
from kernel.ports import CommandContext, EventStore

DecisionMission = Decision[Mission, Evenement]


async def executer(store: EventStore, command: Commande, context: CommandContext) -> DecisionMission:
    """Any mission command; a decision without events when it was already satisfied (idempotent)."""
    return await handle_command(store, stream_id(command.territoire_id), decider, command, context)


async def consulter_mission(store: EventStore, territoire_id: str) -> tuple[Mission, int] | None:
    """The folded mission and its version, or None when no laureate decision opened it."""
    state, version = await load_state(store, stream_id(territoire_id), decider)
    return None if state.etat is EtatMission.AUCUNE else (state, version)
