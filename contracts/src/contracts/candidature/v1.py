"""Candidature events, schema version 1 (DOMAIN-REFERENCE §2.1, §2.2, §2.5 row 2)."""
from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, Field

from contracts.base import DomainEvent, Identifiant, RegionCode, Siren
from contracts.registry import register


class Porteur(StrEnum):
    EPCI = "EPCI"
    GROUPEMENT_EPCI = "GROUPEMENT_EPCI"


class SectionDossier(StrEnum):
    """The 7 required sections of the dossier [000]."""

    IDENTITE_INDUSTRIELLE = "IDENTITE_INDUSTRIELLE"
    EXPOSITION_MUTATIONS = "EXPOSITION_MUTATIONS"
    FRAGILITE_TISSU_ECONOMIQUE = "FRAGILITE_TISSU_ECONOMIQUE"
    AMBITION_INDUSTRIELLE = "AMBITION_INDUSTRIELLE"
    AMBITION_ENVIRONNEMENTALE_SOCIALE = "AMBITION_ENVIRONNEMENTALE_SOCIALE"
    STRATEGIE_REBOND = "STRATEGIE_REBOND"
    DEFICIT_INGENIERIE = "DEFICIT_INGENIERIE"


@register
class CandidatureDeposee(DomainEvent):
    """A territory deposited its complete dossier before the relève of its wave."""

    event_type = "CandidatureDeposee"
    candidature_id: Identifiant
    vague: Annotated[int, Field(ge=1, le=13)]
    releve_le: AwareDatetime = Field(description="Relève (12:00 Europe/Paris) the dossier belongs to")
    deposee_le: AwareDatetime
    porteur: Porteur
    epci_sirens: Annotated[list[Siren], Field(min_length=1)]
    nom_territoire: Annotated[str, Field(min_length=2, max_length=200)]
    region_code: RegionCode
    perimetre: Annotated[str, Field(min_length=2, max_length=500, description="TI, CRTE or free perimeter")]
    filiere: Annotated[str, Field(min_length=2, max_length=200)]
    sections: Annotated[list[SectionDossier], Field(min_length=7, max_length=7)]
    nombre_pages: Annotated[int, Field(ge=1, le=20, description="Annexes comprises")]
    pages_synthese: Annotated[int, Field(ge=1, le=2)]
    grille_impacts_jointe: bool


@register
class CandidatureRetiree(DomainEvent):
    """The territory withdrew its deposited candidature before the relève of its wave."""

    event_type = "CandidatureRetiree"
    candidature_id: Identifiant
    vague: Annotated[int, Field(ge=1, le=13)]
    retiree_le: AwareDatetime
    motif: Annotated[str, Field(min_length=1, max_length=1000)]


@register
class VagueRelevee(DomainEvent):
    """The relève of a wave passed (12:00 Europe/Paris): the dossiers deposited in it are frozen and go to
    instruction. Recorded once per wave, on stream `vague-<N>`."""

    event_type = "VagueRelevee"
    vague: Annotated[int, Field(ge=1, le=13)]
    releve_le: AwareDatetime
    candidatures: list[Identifiant]


@register
class AMIClotureAnticipee(DomainEvent):
    """The AMI was closed early by arrêté, after the SGPI's opinion [000]; later deposits are refused.
    Recorded on stream `ami-rebond`."""

    event_type = "AMIClotureAnticipee"
    date_arrete: date
    reference_arrete: Annotated[str, Field(min_length=1, max_length=200)]
    date_avis_sgpi: date
    effective_le: AwareDatetime
