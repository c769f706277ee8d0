"""Shared examples for the candidature service's unit tests: a complete dossier and its commands."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from candidature.domain.commands import DeposerCandidature, InitierCandidature, ModifierDossier, RetirerCandidature
from contracts.candidature.v1 import (
    AdhesionEpciDonnee,
    AMIClotureAnticipee,
    CandidatureDeposee,
    CandidatureInitiee,
    Dossier,
    ObjectifEnvironnemental,
    SectionDossier,
)

PARIS = ZoneInfo("Europe/Paris")
EPCI_1, EPCI_2, EPCI_3 = "200068500", "200040863", "200040491"  # Luhn-valid SIRENs made up for the tests
CID = "cambresis-2023"
LE_29_AOUT_2023 = datetime(2023, 8, 29, 10, tzinfo=PARIS)
RELEVE_VAGUE_4 = datetime(2023, 10, 1, 12, tzinfo=PARIS)


def grille(**impacts: str) -> dict[str, Any]:
    """A complete Grille d'impacts; `impacts` overrides the impact of some objectives (default NEUTRE)."""
    evaluations = {
        o.value: {"impact": impacts.get(o.value, "NEUTRE"), "justification": f"argumentaire {o.value}"}
        for o in ObjectifEnvironnemental
    }
    return {
        "solution_reference": "maintien des sites sans reconversion",
        "methodologie": "bilan carbone ADEME",
        "hypotheses": "2 sites reconvertis d'ici 2027",
        **evaluations,
    }


def dossier(**changes: Any) -> Dossier:
    fields: dict[str, Any] = dict(
        porteur="GROUPEMENT_EPCI",
        epci_sirens=[EPCI_1, EPCI_2],
        nom_territoire="Cambrésis et Caudrésis-Catésis",
        region_code="32",
        perimetre="TI Cambraisis - Douaisis - Valenciennois",
        filiere="automobile",
        sections=list(SectionDossier),
        nombre_pages=20,
        pages_synthese=2,
        grille_impacts=grille(),
    )
    return Dossier.model_validate({**fields, **changes})


def brouillon(**changes: Any) -> Dossier:
    """A draft with only its carrier."""
    return Dossier.model_validate({"porteur": "GROUPEMENT_EPCI", "epci_sirens": [EPCI_1, EPCI_2], **changes})


def initier(contenu: Dossier | None = None, demandeur: str = EPCI_1) -> InitierCandidature:
    return InitierCandidature(
        candidature_id=CID,
        demandeur=demandeur,
        initiee_le=datetime(2023, 8, 1, tzinfo=PARIS),
        dossier=contenu or dossier(),
    )


def initiee(contenu: Dossier | None = None) -> CandidatureInitiee:
    return CandidatureInitiee(
        candidature_id=CID, initiee_le=datetime(2023, 8, 1, tzinfo=PARIS), dossier=contenu or dossier()
    )


def modifier(contenu: Dossier, demandeur: str = EPCI_1, le: datetime = LE_29_AOUT_2023) -> ModifierDossier:
    return ModifierDossier(candidature_id=CID, demandeur=demandeur, modifie_le=le, dossier=contenu)


def deposer(le: datetime = LE_29_AOUT_2023, demandeur: str = EPCI_1, **extra: Any) -> DeposerCandidature:
    return DeposerCandidature(candidature_id=CID, demandeur=demandeur, deposee_le=le, **extra)


def deposee(
    contenu: Dossier | None = None,
    le: datetime = LE_29_AOUT_2023,
    vague: int = 4,
    releve_le: datetime = RELEVE_VAGUE_4,
    **extra: Any,
) -> CandidatureDeposee:
    contenu = contenu or dossier()
    return CandidatureDeposee.model_validate(
        {
            **contenu.model_dump(),
            "candidature_id": CID,
            "vague": vague,
            "releve_le": releve_le,
            "deposee_le": le,
            **extra,
        }
    )


def retirer(
    motif: str = "fusion avec la candidature voisine", le: datetime = LE_29_AOUT_2023, demandeur: str = EPCI_1
) -> RetirerCandidature:
    return RetirerCandidature(candidature_id=CID, demandeur=demandeur, retiree_le=le, motif=motif)


def cloture(effective_le: datetime) -> AMIClotureAnticipee:
    return AMIClotureAnticipee(
        date_arrete=effective_le.date(),
        reference_arrete="arrêté du PM n° 2024-17",
        date_avis_sgpi=effective_le.date(),
        effective_le=effective_le,
    )


def adhesion(siren: str = EPCI_2, le: datetime = LE_29_AOUT_2023) -> AdhesionEpciDonnee:
    """The groupement's other EPCI agrees to be part of the candidature (needed before its deposit)."""
    return AdhesionEpciDonnee(candidature_id=CID, siren=siren, donnee_le=le)
