"""What may be asked of a Dossier; times and dates arrive in the command (the domain has no clock)."""
from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from contracts.base import Centimes, FormeAide, Identifiant, RegionCode, Siren, Siret

ASSIETTE_MINIMALE_CENTIMES = 40_000_000  # 400 000 € of eligible expenses per project [000]

Vague = Annotated[int, Field(ge=1, le=13)]
RaisonSociale = Annotated[str, Field(min_length=1, max_length=200)]
Intitule = Annotated[str, Field(min_length=1, max_length=300)]
Motif = Annotated[str, Field(min_length=1, max_length=2000)]
AssietteEstimee = Annotated[int, Field(ge=ASSIETTE_MINIMALE_CENTIMES, description="≥ 400 000 € [000], in cents")]
Emplois = Annotated[int, Field(ge=0)]


class _Commande(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class EnregistrerCandidature(_Commande):
    """Take note of a candidature the candidature service recorded as deposited."""

    candidature_id: Identifiant
    vague: Vague
    nom_territoire: str
    region_code: RegionCode
    epci_sirens: Annotated[list[Siren], Field(min_length=1)]


class DeciderSelection(_Commande):
    """Record the Prime Minister's decision on a candidature, after the SGPI's opinion."""

    candidature_id: Identifiant
    laureat: bool
    date_decision: date
    date_notification: date
    enveloppe_cible_centimes: Centimes | None = None
    motif: Motif | None = None


class QualifierProjet(_Commande):
    """The laureate territory's COPIL local qualifies an industrial project for the Rebond envelope."""

    territoire_id: Identifiant
    projet_id: Identifiant
    siret: Siret
    raison_sociale: RaisonSociale
    intitule: Intitule
    date_copil: date
    assiette_estimee_centimes: AssietteEstimee
    forme_envisagee: FormeAide
    emplois_prevus: Emplois = 0


Commande = EnregistrerCandidature | DeciderSelection | QualifierProjet
