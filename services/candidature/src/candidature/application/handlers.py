"""Command handlers of the candidature service: business time and the actor come from the CommandContext.

Deposits and withdrawals run inside one PostgreSQL transaction opened by the caller (the store and the
index are bound to it): the wave's lock, the cross-stream reads, the append and the EPCI reservation
commit together or not at all."""

from __future__ import annotations

from candidature.application.ports import IndexDepots
from candidature.domain import ami
from candidature.domain import vague as vagues
from candidature.domain.calendrier import vague_du_depot
from candidature.domain.candidature import Candidature, Statut, decider, stream_id
from candidature.domain.chevauchement import avertissements
from candidature.domain.commands import (
    AdhererCandidature,
    Command,
    ConsulterDossier,
    DeposerCandidature,
    HabiliterExpert,
    InitierCandidature,
    ModifierDossier,
    RetirerCandidature,
)
from candidature.domain.errors import EpciDejaCandidat
from contracts.base import DomainEvent
from contracts.candidature.v1 import (
    AMIClotureAnticipee,
    CandidatureDeposee,
    CandidatureRetiree,
    Dossier,
    DossierCandidatureConsulte,
)
from kernel.access import record_read
from kernel.command_handler import Decision, handle_command, load_state
from kernel.decider import DomainError
from kernel.ports import AccessLog, CommandContext, EventStore

Resultat = Decision[Candidature, DomainEvent]  # the candidature after the command, its version, what it recorded


async def executer(store: EventStore, candidature_id: str, command: Command, context: CommandContext) -> Resultat:
    return await handle_command(store, stream_id(candidature_id), decider, command, context)


async def initier_candidature(
    store: EventStore, candidature_id: str, dossier: Dossier, context: CommandContext
) -> Resultat:
    command = InitierCandidature(
        candidature_id=candidature_id, demandeur=context.actor.scope, initiee_le=context.occurred_at, dossier=dossier
    )
    return await executer(store, candidature_id, command, context)


async def modifier_dossier(
    store: EventStore, candidature_id: str, dossier: Dossier, context: CommandContext
) -> Resultat:
    command = ModifierDossier(
        candidature_id=candidature_id, demandeur=context.actor.scope, modifie_le=context.occurred_at, dossier=dossier
    )
    return await executer(store, candidature_id, command, context)


async def adherer_candidature(store: EventStore, candidature_id: str, context: CommandContext) -> Resultat:
    command = AdhererCandidature(
        candidature_id=candidature_id, demandeur=context.actor.scope, adhere_le=context.occurred_at
    )
    return await executer(store, candidature_id, command, context)


async def consulter_dossier(
    store: EventStore, access_log: AccessLog, candidature_id: str, context: CommandContext
) -> Resultat:
    """The dossier, once its reading is recorded (refused as not found to whoever may not read it).

    The domain decides whether the caller may read it and what the read is (DossierCandidatureConsulte); the read
    goes to the access log, not to the candidature's stream: reading a dossier does not change it, and a stream
    that grew with every read would make every later command on it slower."""
    command = ConsulterDossier(candidature_id=candidature_id, lecteur=context.actor, consulte_le=context.occurred_at)
    state, version = await load_state(store, stream_id(candidature_id), decider)
    for lecture in decider.decide(command, state):
        assert isinstance(lecture, DossierCandidatureConsulte)
        await record_read(access_log, stream_id(candidature_id), version, context, lecture.finalite.value)
    return Decision(state, version)


async def deposer_candidature(
    store: EventStore, index: IndexDepots, candidature_id: str, context: CommandContext
) -> Resultat:
    """Deposit under the wave's lock: refused if its relève was recorded meanwhile, or if one of its EPCIs
    is already reserved in the wave (then the deposit's append is rolled back with the transaction)."""
    vague = vague_du_depot(context.occurred_at)
    if vague is not None:
        await _verrouiller_vague_ouverte(store, index, vague.numero)
    state, _ = await load_state(store, stream_id(candidature_id), decider)
    command = DeposerCandidature(
        candidature_id=candidature_id,
        demandeur=context.actor.scope,
        deposee_le=context.occurred_at,
        cloture=await cloture_anticipee(store),
    )
    if vague is not None and state.statut is Statut.BROUILLON and state.porte_par(context.actor.scope):
        assert state.dossier is not None
        voisines = await index.voisines(
            candidature_id, vague.numero, state.dossier.perimetre, state.dossier.epci_sirens
        )
        command = command.model_copy(update={"avertissements": avertissements(vague.numero, voisines)})
    resultat = await executer(store, candidature_id, command, context)
    for event in resultat.events:
        if isinstance(event, CandidatureDeposee) and (conflits := await index.enregistrer_depot(event)):
            raise EpciDejaCandidat(conflits[0].siren, conflits[0].candidature_id, event.vague)
    return resultat


async def retirer_candidature(
    store: EventStore, index: IndexDepots, candidature_id: str, motif: str, context: CommandContext
) -> Resultat:
    """Withdraw under the wave's lock, releasing the candidature's EPCIs in its wave."""
    state, _ = await load_state(store, stream_id(candidature_id), decider)
    if state.depot is not None and state.retrait is None and state.porte_par(context.actor.scope):
        await _verrouiller_vague_ouverte(store, index, state.depot.vague)
    command = RetirerCandidature(
        candidature_id=candidature_id, demandeur=context.actor.scope, retiree_le=context.occurred_at, motif=motif
    )
    resultat = await executer(store, candidature_id, command, context)
    for event in resultat.events:
        if isinstance(event, CandidatureRetiree):
            await index.enregistrer_retrait(event)
    return resultat


async def _verrouiller_vague_ouverte(store: EventStore, index: IndexDepots, numero: int) -> None:
    """Take the wave's lock; a relève recorded before we got it means 12:00 passed while this request was
    on its way: its list is final, so the request is refused rather than left out of it."""
    await index.verrouiller_vague(numero)
    state, _ = await load_state(store, vagues.stream_id(numero), vagues.decider)
    if state.releve is not None:
        raise DomainError(
            f"la relève de la vague {numero} a eu lieu pendant cette demande: ses dossiers sont figés",
            reason="vague_relevee",
        )


async def cloture_anticipee(store: EventStore) -> AMIClotureAnticipee | None:
    return (await etat_ami(store)).cloture


async def cloturer_ami(
    store: EventStore, command: ami.CommandeAMI, context: CommandContext
) -> Decision[ami.AMI, DomainEvent]:
    """A step of the AMI's early closure (a signalled threshold, the SGPI's opinion, the arrêté): recorded now, or
    already (then the decision records nothing)."""
    return await handle_command(store, ami.STREAM_ID, ami.decider, command, context)


async def etat_ami(store: EventStore) -> ami.AMI:
    state, _ = await load_state(store, ami.STREAM_ID, ami.decider)
    return state


async def habiliter_expert(store: EventStore, command: HabiliterExpert, context: CommandContext) -> Resultat:
    return await handle_command(store, stream_id(command.candidature_id), decider, command, context)
