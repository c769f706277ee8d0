"""The Candidature aggregate (stream `candidature-<candidature_id>`): decide and evolve.

Its status is an explicit lifecycle (DOMAIN-REFERENCE §2.5 rows 1-3) so that drafts (Brouillon), a
withdrawal and the relève freeze slot in as new statuses and events without reshaping the state."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from contracts.base import DomainEvent
from contracts.candidature.v1 import CandidatureDeposee, Porteur, SectionDossier
from kernel.decider import Decider

from candidature.domain.calendrier import cloture, vague_du_depot
from candidature.domain.commands import Command, DeposerCandidature, DossierCandidature
from candidature.domain.errors import (
    AMIClos,
    DejaDeposee,
    GrilleImpactsManquante,
    PagesIncoherentes,
    PorteurIncoherent,
    SectionsManquantes,
)

DOSSIER = tuple(DossierCandidature.model_fields)  # the fields a deposit records as the territory gave them


class Statut(StrEnum):
    NOUVELLE = "NOUVELLE"  # nothing recorded on the stream yet
    DEPOSEE = "DEPOSEE"


@dataclass(frozen=True, slots=True)
class Candidature:
    statut: Statut = Statut.NOUVELLE
    depot: CandidatureDeposee | None = None


def stream_id(candidature_id: str) -> str:
    return f"candidature-{candidature_id}"


def evolve(state: Candidature, event: DomainEvent) -> Candidature:
    match event:
        case CandidatureDeposee():
            return replace(state, statut=Statut.DEPOSEE, depot=event)
        case _:
            return state  # an event type this version does not fold (e.g. written by a newer one)


def decide(command: Command, state: Candidature) -> list[DomainEvent]:
    match command:
        case DeposerCandidature():
            return _deposer(command, state)
    raise TypeError(f"unknown command {type(command).__name__}")


def _deposer(command: DeposerCandidature, state: Candidature) -> list[DomainEvent]:
    if state.depot is not None:
        if contenu(state.depot) == contenu(command):
            return []  # the same dossier again: already done
        raise DejaDeposee(command.candidature_id)
    vague = vague_du_depot(command.deposee_le)
    if vague is None:
        raise AMIClos(command.deposee_le, cloture())
    _verifier_dossier(command)
    dossier = command.model_dump(include=set(DOSSIER))
    dossier["sections"] = [s for s in SectionDossier if s in command.sections]  # canonical order, once each
    return [CandidatureDeposee(**dossier, vague=vague.numero, releve_le=vague.releve_le,
                               deposee_le=command.deposee_le)]


def _verifier_dossier(dossier: DossierCandidature) -> None:
    """The cahier des charges' completeness rules [000]; the first one broken refuses the deposit."""
    _verifier_porteur(dossier.porteur, dossier.epci_sirens)
    manquantes = [s.value for s in SectionDossier if s not in dossier.sections]
    if manquantes:
        raise SectionsManquantes(manquantes)
    if not dossier.grille_impacts_jointe:
        raise GrilleImpactsManquante()
    if dossier.pages_synthese > dossier.nombre_pages:
        raise PagesIncoherentes(dossier.nombre_pages, dossier.pages_synthese)


def _verifier_porteur(porteur: Porteur, sirens: list[str]) -> None:
    if len(set(sirens)) != len(sirens):
        raise PorteurIncoherent("un même SIREN figure plusieurs fois parmi les EPCI")
    if porteur is Porteur.EPCI and len(sirens) != 1:
        raise PorteurIncoherent(f"un porteur EPCI a exactement 1 SIREN, pas {len(sirens)}")
    if porteur is Porteur.GROUPEMENT_EPCI and len(sirens) < 2:
        raise PorteurIncoherent("un groupement d'EPCI réunit au moins 2 EPCI")


def contenu(dossier: DossierCandidature | CandidatureDeposee) -> dict[str, Any]:
    """What makes two deposits the same dossier, whatever the order of its lists or the deposit time."""
    fields = {name: getattr(dossier, name) for name in DOSSIER}
    return {**fields, "sections": frozenset(fields["sections"]), "epci_sirens": sorted(fields["epci_sirens"])}


decider: Decider[Command, DomainEvent, Candidature] = Decider(decide=decide, evolve=evolve,
                                                               initial_state=Candidature())
