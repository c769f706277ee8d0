"""Use cases of the census and of the projects: fold the territory's mission from its stream, then decide and append
on the project's (or the census's) stream through the kernel, answered from the decision.

The mission is read, not locked: a COPIL or a close recorded while a qualification is decided is seen by the next
command (its facts only ever add to what a qualification may rely on, except the close, which is a date)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from contracts.base import DomainEvent
from instruction.projets.application.ports import UniteDeTravail
from instruction.projets.domain import projet as p
from instruction.projets.domain import recensement as r
from instruction.projets.domain.commands import CommandeProjet, RecenserProjet, RencontrerEntreprises
from instruction.projets.domain.decider import decider_projet, decider_recensement
from instruction.projets.domain.errors import ProjetInconnu
from instruction.projets.domain.mission_vue import MissionVue, vue_de
from kernel.command_handler import Decision, handle_command, load_state
from kernel.decider import DomainError, NotFound
from kernel.ports import CommandContext, EventStore

DecisionProjet = Decision[p.Projet, DomainEvent]
MISSION_STREAM = "mission-{}"  # the mission slice's stream, read through the published events only


class MissionInconnue(NotFound):
    reason = "mission_inconnue"


async def mission_de(store: EventStore, territoire_id: str) -> MissionVue:
    vue = vue_de(recorded.event for recorded in await store.read(MISSION_STREAM.format(territoire_id)))
    if not vue.ouverte:
        raise MissionInconnue(f"aucune mission ouverte pour le territoire {territoire_id}")
    return vue


async def rencontrer(
    store: EventStore, command: RencontrerEntreprises, context: CommandContext
) -> Decision[r.Recensement, DomainEvent]:
    mission = await mission_de(store, command.territoire_id)
    return await handle_command(
        store, r.stream_id(command.territoire_id), decider_recensement(mission), command, context
    )


async def executer(store: EventStore, command: CommandeProjet, context: CommandContext) -> DecisionProjet:
    mission = await mission_de(store, command.territoire_id)
    return await handle_command(store, p.stream_id(command.projet_id), decider_projet(mission), command, context)


@dataclass(frozen=True, slots=True)
class LigneRecensee:
    """One project of a census sheet: recorded now, already recorded (a retry), or refused with its reason."""

    projet_id: str
    decision: DecisionProjet | None = None
    refus: DomainError | None = None


async def recenser(
    unite: UniteDeTravail, territoire_id: str, commands: Sequence[RecenserProjet], context: CommandContext
) -> list[LigneRecensee]:
    """A consultant's census sheet in one transaction and against one reading of the mission: each project is its
    own stream; a project refused (already in another census, in other terms) does not prevent the others."""
    async with unite() as store:
        decider = decider_projet(await mission_de(store, territoire_id))
        lignes = []
        for command in commands:
            try:
                decision = await handle_command(store, p.stream_id(command.projet_id), decider, command, context)
            except DomainError as refus:
                lignes.append(LigneRecensee(command.projet_id, refus=refus))
            else:
                lignes.append(LigneRecensee(command.projet_id, decision=decision))
        return lignes


async def consulter(store: EventStore, territoire_id: str, projet_id: str) -> tuple[p.Projet, int]:
    """A project of this territory's census; ProjetInconnu otherwise (also for another territory's)."""
    state, version = await load_state(store, p.stream_id(projet_id), decider_projet(MissionVue()))
    if state.recensement is None or state.recensement.territoire_id != territoire_id:
        raise ProjetInconnu(f"aucun projet {projet_id} au recensement de ce territoire")
    return state, version
