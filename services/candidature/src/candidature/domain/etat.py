"""The Candidature's state and how each of its events changes it (evolve)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from contracts.base import DomainEvent
from contracts.candidature.v1 import (
    AdhesionEpciDonnee,
    CandidatureDeposee,
    CandidatureInitiee,
    CandidatureRetiree,
    Dossier,
    DossierModifie,
    ExpertHabilite,
    GrilleImpactsSaisie,
)


class Statut(StrEnum):
    NOUVELLE = "NOUVELLE"  # nothing recorded on the stream yet
    BROUILLON = "BROUILLON"
    DEPOSEE = "DEPOSEE"
    RETIREE = "RETIREE"


@dataclass(frozen=True, slots=True)
class Candidature:
    statut: Statut = Statut.NOUVELLE
    dossier: Dossier | None = None  # the draft's content, then the content as deposited
    depot: CandidatureDeposee | None = None
    retrait: CandidatureRetiree | None = None
    experts: tuple[ExpertHabilite, ...] = ()  # the latest habilitation of each designated expert
    adhesions: frozenset[str] = frozenset()  # the SIRENs that agreed to be part of it

    def porte_par(self, siren: str | None) -> bool:
        return self.dossier is not None and siren in self.dossier.epci_sirens

    def figee_a(self, instant: datetime) -> bool:
        """Deposited in a wave whose relève has passed at `instant`."""
        return self.depot is not None and instant >= self.depot.releve_le


def stream_id(candidature_id: str) -> str:
    return f"candidature-{candidature_id}"


def evolve(state: Candidature, event: DomainEvent) -> Candidature:
    match event:
        case CandidatureInitiee() | DossierModifie():
            return replace(state, statut=Statut.BROUILLON, dossier=event.dossier)
        case CandidatureDeposee():
            return replace(state, statut=Statut.DEPOSEE, depot=event, dossier=dossier_depose(event))
        case CandidatureRetiree():
            return replace(state, statut=Statut.RETIREE, retrait=event)
        case AdhesionEpciDonnee(siren=siren):
            return replace(state, adhesions=state.adhesions | {siren})
        case ExpertHabilite():
            autres = tuple(e for e in state.experts if e.expert_id != event.expert_id)
            return replace(state, experts=(*autres, event))
        case _:
            return state  # DossierCandidatureConsulte, or a type written by a newer version


def dossier_depose(event: CandidatureDeposee) -> Dossier:
    """The dossier as deposited (a v1 deposit, upcast, has no grille content: None)."""
    fields = event.model_dump(include=set(Dossier.model_fields) - {"grille_impacts"})
    grille = GrilleImpactsSaisie.model_validate(event.grille_impacts.model_dump()) if event.grille_impacts else None
    return Dossier.model_validate({**fields, "grille_impacts": grille})
