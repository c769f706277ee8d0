"""What the HTTP API answers: a candidature's view (status at business time, dossier, what is missing)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from candidature.application.handlers import Resultat
from candidature.domain.completude import manquants
from candidature.domain.etat import Statut
from contracts.base import Identifiant
from contracts.candidature.v1 import Avertissement, Dossier


class NouvelleCandidature(Dossier):
    """A draft: its id, its carrier (porteur, EPCI SIRENs, the caller's among them); the rest may wait."""

    candidature_id: Identifiant


class Retrait(BaseModel):
    motif: Annotated[str, Field(min_length=1, max_length=1000)]


class ManqueVue(BaseModel):
    element: str = Field(
        description="What is missing or wrong: a field, `sections.<SECTION>`, `grille_impacts.<objectif>`…"
    )
    motif: str


class VueCandidature(BaseModel):
    candidature_id: str
    statut: str = Field(
        description="BROUILLON, DEPOSEE, RELEVEE (deposited, its wave's relève passed: frozen) or RETIREE"
    )
    stream_version: int
    dossier: Dossier
    manquants: list[ManqueVue] = Field(description="What still prevents the deposit (drafts only)")
    vague: int | None = None
    releve_le: datetime | None = None
    deposee_le: datetime | None = None
    retiree_le: datetime | None = None
    motif_retrait: str | None = None
    warnings: list[Avertissement] = Field(default=[], description="Criterion 7's overlap warnings of the deposit")


def vue(candidature_id: str, resultat: Resultat, maintenant: datetime) -> VueCandidature:
    state = resultat.state
    assert state.dossier is not None
    depot, retrait = state.depot, state.retrait
    statut = "RELEVEE" if state.statut is Statut.DEPOSEE and state.figee_a(maintenant) else state.statut.value
    return VueCandidature(
        candidature_id=candidature_id,
        statut=statut,
        stream_version=resultat.version,
        dossier=state.dossier,
        manquants=[ManqueVue(element=m.element, motif=m.motif) for m in manquants(state.dossier)]
        if state.statut is Statut.BROUILLON
        else [],
        vague=depot.vague if depot else None,
        releve_le=depot.releve_le if depot else None,
        deposee_le=depot.deposee_le if depot else None,
        retiree_le=retrait.retiree_le if retrait else None,
        motif_retrait=retrait.motif if retrait else None,
        warnings=depot.avertissements if depot else [],
    )
