"""Who may read a dossier (§7: « ne sont communiqués que dans le cadre de l'expertise »), and the record of
each read. A draft is the territory's own working document: only its EPCIs read it. Once deposited, the
CDC's instructors and the DTI read it too, and so do the experts designated for it while their access
lasts (inclusive Paris date). Anyone else is told the candidature does not exist."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from candidature.domain.commands import ConsulterDossier, HabiliterExpert
from candidature.domain.errors import CandidatureIntrouvable
from candidature.domain.etat import Candidature, Statut
from contracts.base import DomainEvent, Role
from contracts.candidature.v1 import DossierCandidatureConsulte, ExpertHabilite, FinaliteConsultation
from contracts.envelope import Actor

PARIS = ZoneInfo("Europe/Paris")
INSTRUCTEURS = frozenset({Role.INSTRUCTEUR_CDC, Role.DTI_ANCT})
TRANSMISE = frozenset({Statut.DEPOSEE, Statut.RETIREE})


def finalite(state: Candidature, lecteur: Actor, instant: datetime) -> FinaliteConsultation | None:
    """Why `lecteur` may read the dossier at `instant`, or None when it may not."""
    if lecteur.role is Role.EPCI_CANDIDAT and state.porte_par(lecteur.scope):
        return FinaliteConsultation.CANDIDAT
    if state.statut not in TRANSMISE:
        return None
    if lecteur.role in INSTRUCTEURS:
        return FinaliteConsultation.INSTRUCTION
    if lecteur.role is Role.EXPERT_EXTERNE and expert_habilite(state, lecteur.id, instant):
        return FinaliteConsultation.EXPERTISE
    return None


def expert_habilite(state: Candidature, expert_id: str, instant: datetime) -> bool:
    jour = instant.astimezone(PARIS).date()
    return any(
        e.expert_id == expert_id and e.confidentialite_acceptee_le <= jour <= e.acces_jusqu_au for e in state.experts
    )


def consulter(command: ConsulterDossier, state: Candidature) -> list[DomainEvent]:
    """Every allowed read is recorded (never idempotent: each read is a fact)."""
    pour = finalite(state, command.lecteur, command.consulte_le)
    if pour is None:
        raise CandidatureIntrouvable(command.candidature_id)
    return [
        DossierCandidatureConsulte(
            candidature_id=command.candidature_id,
            lecteur_id=command.lecteur.id,
            role=command.lecteur.role,
            finalite=pour,
            consulte_le=command.consulte_le,
        )
    ]


def habiliter(command: HabiliterExpert, state: Candidature) -> list[DomainEvent]:
    """A designation on a candidature never recorded here has nothing to open: nothing is recorded."""
    habilitation = ExpertHabilite(**command.model_dump())
    if state.statut is Statut.NOUVELLE or habilitation in state.experts:
        return []
    return [habilitation]
