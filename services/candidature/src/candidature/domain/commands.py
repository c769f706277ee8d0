"""What can be asked of a Candidature. The dossier's fields use the contract's validated types, so a
malformed SIREN, region code or page count never reaches the decider (it is a 422 at the boundary)."""
from __future__ import annotations

from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from contracts.base import Identifiant, RegionCode, Siren
from contracts.candidature.v1 import Porteur, SectionDossier


class DossierCandidature(BaseModel):
    """The dossier as the territory submits it (DOMAIN-REFERENCE §2.2).

    Completeness (the 7 sections, the grille d'impacts) and the porteur's coherence are business rules
    checked by the decider, which names what is missing; shapes and identifiers are checked here."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    candidature_id: Identifiant
    porteur: Porteur
    epci_sirens: Annotated[list[Siren], Field(min_length=1, max_length=100)]
    nom_territoire: Annotated[str, Field(min_length=2, max_length=200)]
    region_code: RegionCode
    perimetre: Annotated[str, Field(min_length=2, max_length=500, description="TI, CRTE or free perimeter")]
    filiere: Annotated[str, Field(min_length=2, max_length=200)]
    sections: Annotated[list[SectionDossier], Field(max_length=50, description="The 7 required sections")]
    nombre_pages: Annotated[int, Field(ge=1, le=20, description="Annexes comprises")]
    pages_synthese: Annotated[int, Field(ge=1, le=2)]
    grille_impacts_jointe: bool


class DeposerCandidature(DossierCandidature):
    """Deposit the dossier; `deposee_le` is business time from the command context, never the caller's."""

    deposee_le: AwareDatetime


Command = DeposerCandidature
