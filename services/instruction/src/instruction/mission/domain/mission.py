"""The Mission aggregate's state and its evolve: a laureate territory's engineering mission, from the
notification of its selection to the close (DOMAIN-REFERENCE §2.5 rows 10-15); the projects its COPIL
qualifies live in the `projets` slice.

Stream `mission-<territoire_id>` (territoire_id == the winning candidature_id). A state machine on `etat`:

    AUCUNE --MissionOuverte--> OUVERTE --ConventionSignee--> CONVENTIONNEE
        --MissionIngenierieLancee--> INGENIERIE_EN_COURS --MissionRestituee--> RESTITUEE
        --MissionCloturee--> CLOTUREE

Facts that do not move `etat`: ConventionEnRetard (OUVERTE), ComitePilotageTenu, ComitePilotageManquant,
FeuilleDeRouteRestituee (INGENIERIE_EN_COURS)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from contracts.base import DomainEvent
from contracts.instruction.mission import (
    ComitePilotageManquant,
    ComitePilotageTenu,
    ConventionEnRetard,
    ConventionSignee,
    FeuilleDeRouteRestituee,
    MissionCloturee,
    MissionIngenierieLancee,
    MissionOuverte,
    MissionRestituee,
)

Evenement = (
    MissionOuverte
    | ConventionSignee
    | ConventionEnRetard
    | MissionIngenierieLancee
    | ComitePilotageTenu
    | ComitePilotageManquant
    | FeuilleDeRouteRestituee
    | MissionRestituee
    | MissionCloturee
)


class EtatMission(StrEnum):
    AUCUNE = "AUCUNE"  # no laureate decision received
    OUVERTE = "OUVERTE"  # laureate, convention not signed yet
    CONVENTIONNEE = "CONVENTIONNEE"
    INGENIERIE_EN_COURS = "INGENIERIE_EN_COURS"
    RESTITUEE = "RESTITUEE"
    CLOTUREE = "CLOTUREE"


LANCEE = frozenset({EtatMission.INGENIERIE_EN_COURS, EtatMission.RESTITUEE})  # « IngenierieEnCours or later »


class Mission(BaseModel):
    """Folded state; it keeps the facts themselves so that decide can compare a repeated command."""

    model_config = ConfigDict(frozen=True)
    etat: EtatMission = EtatMission.AUCUNE
    ouverture: MissionOuverte | None = None
    convention: ConventionSignee | None = None
    retard_convention: ConventionEnRetard | None = None
    lancement: MissionIngenierieLancee | None = None
    copils: dict[str, ComitePilotageTenu] = Field(default_factory=dict)
    mois_sans_copil: list[str] = Field(default_factory=list)
    feuille_de_route: FeuilleDeRouteRestituee | None = None
    restitution: MissionRestituee | None = None
    cloture: MissionCloturee | None = None


def stream_id(territoire_id: str) -> str:
    return f"mission-{territoire_id}"


def evolve(state: Mission, event: DomainEvent) -> Mission:
    """Total: an event type this version does not fold (written by a newer one) leaves the state as is."""
    update: dict[str, object]
    match event:
        case MissionOuverte():
            update = {"etat": EtatMission.OUVERTE, "ouverture": event}
        case ConventionSignee():
            update = {"etat": EtatMission.CONVENTIONNEE, "convention": event}
        case ConventionEnRetard():
            update = {"retard_convention": event}
        case MissionIngenierieLancee():
            update = {"etat": EtatMission.INGENIERIE_EN_COURS, "lancement": event}
        case ComitePilotageTenu(copil_id=copil_id):
            update = {"copils": {**state.copils, copil_id: event}}
        case ComitePilotageManquant(mois=mois):
            update = {"mois_sans_copil": [*state.mois_sans_copil, mois]}
        case FeuilleDeRouteRestituee():
            update = {"feuille_de_route": event}
        case MissionRestituee():
            update = {"etat": EtatMission.RESTITUEE, "restitution": event}
        case MissionCloturee():
            update = {"etat": EtatMission.CLOTUREE, "cloture": event}
        case _:
            return state
    return state.model_copy(update=update)
