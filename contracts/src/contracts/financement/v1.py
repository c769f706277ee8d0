"""Financement events, schema version 1 (DOMAIN-REFERENCE §3.2, §4)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from contracts.base import Centimes, DomainEvent, FormeAide, Identifiant, RegimeAide, RegionCode, Siret
from contracts.registry import register

SEUIL_PUBLICATION_CENTIMES = 50_000_000  # 500 000 € per project: EU transparency obligation [003]


@register
class LaureatEnregistre(DomainEvent):
    """Financement took note of a laureate territory (learnt from instruction.dossier.v1)."""

    event_type = "LaureatEnregistre"
    territoire_id: Identifiant
    nom_territoire: str
    region_code: RegionCode
    date_decision: date


class Contribution(BaseModel):
    """One financeur's share of a territory envelope (State F2030, an EPCI, a Région…)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    financeur: Annotated[str, Field(min_length=1, max_length=120)]
    montant_centimes: Annotated[int, Field(gt=0)]


@register
class EnveloppeTerritorialeAttribuee(DomainEvent):
    """The territory's envelope of investment support, set at the launch of its mission."""

    event_type = "EnveloppeTerritorialeAttribuee"
    territoire_id: Identifiant
    montant_centimes: Annotated[int, Field(gt=0)]
    contributions: Annotated[list[Contribution], Field(min_length=1)]
    date_attribution: date


@register
class ProjetQualifieEnregistre(DomainEvent):
    """Financement took note of a project qualified by the territory's COPIL."""

    event_type = "ProjetQualifieEnregistre"
    projet_id: Identifiant
    territoire_id: Identifiant
    siret: Siret
    assiette_estimee_centimes: Centimes


@register
class AideAccordee(DomainEvent):
    """Bpifrance granted an aid to a qualified project, out of the territory's envelope."""

    event_type = "AideAccordee"
    aide_id: Identifiant
    projet_id: Identifiant
    territoire_id: Identifiant
    siret: Siret
    forme: FormeAide
    montant_centimes: Annotated[int, Field(gt=0)]
    assiette_centimes: Annotated[int, Field(ge=40_000_000)]
    regime: RegimeAide
    date_decision: date
    publication_obligatoire: bool


@register
class AideRefusee(DomainEvent):
    """A requested aid was refused; `motif` says why (e.g. the envelope cannot hold it)."""

    event_type = "AideRefusee"
    aide_id: Identifiant
    projet_id: Identifiant
    territoire_id: Identifiant
    montant_centimes: Centimes
    motif: str
    date_decision: date
