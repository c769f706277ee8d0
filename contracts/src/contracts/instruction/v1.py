"""Instruction events, schema version 1 (DOMAIN-REFERENCE §2.5 rows 4-9, §3.2)."""
from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import Field

from contracts.base import Centimes, DomainEvent, FormeAide, Identifiant, RegionCode, Siren, Siret
from contracts.registry import register


@register
class CandidatureRecue(DomainEvent):
    """Instruction took note of a deposited candidature (learnt from candidature.candidature.v1)."""

    event_type = "CandidatureRecue"
    candidature_id: Identifiant
    vague: Annotated[int, Field(ge=1, le=13)]
    nom_territoire: str
    region_code: RegionCode
    epci_sirens: Annotated[list[Siren], Field(min_length=1)]


@register
class TerritoireLaureat(DomainEvent):
    """The Prime Minister selected the territory, after the SGPI's opinion.

    The decision and its notification are kept apart: the 6-month convention clock runs from the
    notification. A laureate territory is identified by its winning candidature."""

    event_type = "TerritoireLaureat"
    territoire_id: Identifiant
    candidature_id: Identifiant
    vague: Annotated[int, Field(ge=1, le=13)]
    nom_territoire: str
    region_code: RegionCode
    epci_sirens: Annotated[list[Siren], Field(min_length=1)]
    date_decision: date
    date_notification: date
    enveloppe_cible_centimes: Centimes | None = None


@register
class CandidatureNonRetenue(DomainEvent):
    """The Prime Minister did not select the candidature (the territory may apply again in a later wave)."""

    event_type = "CandidatureNonRetenue"
    candidature_id: Identifiant
    vague: Annotated[int, Field(ge=1, le=13)]
    date_decision: date
    date_notification: date
    motif: Annotated[str, Field(min_length=1, max_length=2000)]


@register
class ProjetQualifie(DomainEvent):
    """The territory's COPIL local qualified an industrial project for the Rebond envelope."""

    event_type = "ProjetQualifie"
    projet_id: Identifiant
    territoire_id: Identifiant
    siret: Siret
    raison_sociale: Annotated[str, Field(min_length=1, max_length=200)]
    intitule: Annotated[str, Field(min_length=1, max_length=300)]
    date_copil: date
    assiette_estimee_centimes: Annotated[int, Field(ge=40_000_000, description="≥ 400 000 € [000]")]
    forme_envisagee: FormeAide
    emplois_prevus: Annotated[int, Field(ge=0)] = 0


class DomaineExpertise(StrEnum):
    """Experts instruction may consult [000]."""

    ADMINISTRATION = "ADMINISTRATION"
    PREFECTURE_REGION = "PREFECTURE_REGION"
    CONSEIL_REGIONAL = "CONSEIL_REGIONAL"
    DIRE = "DIRE"  # Délégation interministérielle aux restructurations d'entreprises
    UNIVERSITAIRE = "UNIVERSITAIRE"


@register
class ExpertDesigne(DomainEvent):
    """An expert is assigned to a candidature's file: read access to that dossier only, until `acces_jusqu_au`
    (inclusive), after acknowledging its confidentiality."""

    event_type = "ExpertDesigne"
    candidature_id: Identifiant
    expert_id: Identifiant
    domaine: DomaineExpertise
    acces_jusqu_au: date
    confidentialite_acceptee_le: date
