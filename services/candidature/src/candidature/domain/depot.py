"""Deposit and withdrawal of a candidature: the wave, the AMI's closure, completeness, DNSH, the freeze."""

from __future__ import annotations

from datetime import datetime

from candidature.domain.calendrier import cloture, vague_du_depot
from candidature.domain.commands import AdhererCandidature, DeposerCandidature, RetirerCandidature
from candidature.domain.completude import grille_complete, manquants, prejudices_importants
from candidature.domain.errors import (
    AdhesionsManquantes,
    AMIClos,
    CandidatureIntrouvable,
    DejaDeposee,
    DejaRetiree,
    DossierIncomplet,
    DossiersFiges,
    NonDeposee,
    PrejudiceImportant,
)
from candidature.domain.etat import Candidature, Statut
from contracts.base import DomainEvent
from contracts.candidature.v1 import AdhesionEpciDonnee, CandidatureDeposee, CandidatureRetiree, Dossier


def porteur_connu(state: Candidature, candidature_id: str, demandeur: str | None) -> None:
    """Only the candidature's own EPCIs act on it; to anyone else it does not exist."""
    if not state.porte_par(demandeur):
        raise CandidatureIntrouvable(candidature_id)


def deposer(command: DeposerCandidature, state: Candidature) -> list[DomainEvent]:
    porteur_connu(state, command.candidature_id, command.demandeur)
    if state.statut is Statut.DEPOSEE:
        return []  # already deposited: the same deposit again
    if state.statut is Statut.RETIREE:
        raise DejaRetiree(command.candidature_id)
    if command.cloture is not None and command.deposee_le >= command.cloture.effective_le:
        raise AMIClos(command.deposee_le, command.cloture.effective_le, anticipee=True)
    vague = vague_du_depot(command.deposee_le)
    if vague is None:
        raise AMIClos(command.deposee_le, cloture())
    assert state.dossier is not None  # a draft always has its dossier
    dossier = state.dossier
    if manque := manquants(dossier):
        raise DossierIncomplet(manque)
    if sans_adhesion := [s for s in dossier.epci_sirens if s != command.demandeur and s not in state.adhesions]:
        raise AdhesionsManquantes(sans_adhesion)
    return [_depot(command, dossier, vague.numero, vague.releve_le)]


def adherer(command: AdhererCandidature, state: Candidature) -> list[DomainEvent]:
    """Only an EPCI the dossier names agrees, before the deposit; agreeing again changes nothing."""
    porteur_connu(state, command.candidature_id, command.demandeur)
    assert command.demandeur is not None  # porte_par checked it is one of the dossier's SIRENs
    if command.demandeur in state.adhesions:
        return []
    if state.statut is not Statut.BROUILLON:
        raise DejaDeposee(command.candidature_id)
    return [
        AdhesionEpciDonnee(candidature_id=command.candidature_id, siren=command.demandeur, donnee_le=command.adhere_le)
    ]


def _depot(command: DeposerCandidature, dossier: Dossier, vague: int, releve_le: datetime) -> CandidatureDeposee:
    assert dossier.grille_impacts is not None  # checked by `manquants`
    grille = grille_complete(dossier.grille_impacts)
    if prejudices := prejudices_importants(grille):
        raise PrejudiceImportant(prejudices)
    return CandidatureDeposee.model_validate(
        {
            **dossier.model_dump(exclude={"grille_impacts"}),
            "grille_impacts": grille,
            "candidature_id": command.candidature_id,
            "vague": vague,
            "releve_le": releve_le,
            "deposee_le": command.deposee_le,
            "avertissements": command.avertissements,
        }
    )


def retirer(command: RetirerCandidature, state: Candidature) -> list[DomainEvent]:
    porteur_connu(state, command.candidature_id, command.demandeur)
    if state.retrait is not None:
        if state.retrait.motif == command.motif:
            return []  # the same withdrawal again
        raise DejaRetiree(command.candidature_id)
    if state.depot is None:
        raise NonDeposee(command.candidature_id)
    if state.figee_a(command.retiree_le):
        raise DossiersFiges(state.depot.vague, state.depot.releve_le)
    return [
        CandidatureRetiree(
            candidature_id=command.candidature_id,
            vague=state.depot.vague,
            retiree_le=command.retiree_le,
            motif=command.motif,
        )
    ]
