"""Use cases on a Dossier: each command loads its stream, decides and appends (via the kernel) and answers with
the decision; reads check who may see what and record that they did (§7)."""

from __future__ import annotations

from datetime import date

from contracts.instruction.v1 import DossierConsulte, VueDossier
from instruction.selection.domain.acces import vue_autorisee
from instruction.selection.domain.commands import Commande, ConsignerConsultation
from instruction.selection.domain.decider import decider
from instruction.selection.domain.dossier import Dossier, Evenement, Phase, stream_id
from kernel.access import record_read
from kernel.clock import paris_date
from kernel.command_handler import Decision, handle_command, load_state
from kernel.ports import AccessLog, CommandContext, EventStore

DecisionDossier = Decision[Dossier, Evenement]


def jour(context: CommandContext) -> date:
    """The business day of a request: dates of the programme are French civil dates."""
    return paris_date(context.occurred_at)


async def traiter(store: EventStore, command: Commande, context: CommandContext) -> DecisionDossier:
    """Every command names its candidature, whose dossier stream it goes to."""
    return await handle_command(store, stream_id(command.candidature_id), decider, command, context)


async def consulter_dossier(store: EventStore, candidature_id: str) -> tuple[Dossier, int] | None:
    """The folded dossier and its version, or None when instruction never heard of it."""
    state, version = await load_state(store, stream_id(candidature_id), decider)
    return None if state.phase is Phase.AUCUNE else (state, version)


async def lire_dossier(
    store: EventStore, access_log: AccessLog, candidature_id: str, context: CommandContext
) -> tuple[Dossier, int, VueDossier] | None:
    """The dossier as the caller may see it (NonHabilite otherwise); the read (DossierConsulte, as the domain states
    it) is recorded in the access log, not in the dossier's stream, whose commands it would otherwise slow down."""
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
    for consultation in decider.decide(lecture, state):
        assert isinstance(consultation, DossierConsulte)
        await record_read(access_log, stream_id(candidature_id), version, context, consultation.vue.value)
    return state, version, vue
