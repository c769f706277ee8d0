"""The ProjetIndustriel aggregate (DOMAIN-REFERENCE §3.2): one project's path in Rebond, stream `projet-<projet_id>`.

    — --ProjetRecense--> RECENSE --ProjetQualifie--> QUALIFIE --DemandeAideDeposee--> DEMANDE_DEPOSEE
        --AideInstruite--> INSTRUIT_FAVORABLE | --AideInstructionDefavorable--> QUALIFIE (a new request may follow)
    any state before a request --ProjetOriente--> ORIENTE (terminal); any --ProjetAbandonne--> ABANDONNE (terminal)

ProjetMisAJour, ProjetPriorise and ProjetAccompagne do not move `etat`: the estimates of a census project are
events, never overwrites, so the census can be seen as of any date."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from contracts.base import DomainEvent
from contracts.instruction.projets import (
    AideInstructionDefavorable,
    AideInstruite,
    DemandeAideDeposee,
    ProjetAbandonne,
    ProjetAccompagne,
    ProjetMisAJour,
    ProjetOriente,
    ProjetPriorise,
    ProjetRecense,
)
from contracts.instruction.v1 import ProjetQualifie

Evenement = (
    ProjetRecense
    | ProjetMisAJour
    | ProjetPriorise
    | ProjetAccompagne
    | ProjetOriente
    | ProjetAbandonne
    | ProjetQualifie
    | DemandeAideDeposee
    | AideInstruite
    | AideInstructionDefavorable
)


class EtatProjet(StrEnum):
    AUCUN = "AUCUN"
    RECENSE = "RECENSE"
    QUALIFIE = "QUALIFIE"
    DEMANDE_DEPOSEE = "DEMANDE_DEPOSEE"
    INSTRUIT_FAVORABLE = "INSTRUIT_FAVORABLE"
    ORIENTE = "ORIENTE"
    ABANDONNE = "ABANDONNE"


TERMINAUX = frozenset({EtatProjet.ORIENTE, EtatProjet.ABANDONNE})


@dataclass(frozen=True, slots=True)
class Projet:
    etat: EtatProjet = EtatProjet.AUCUN
    recensement: ProjetRecense | None = None
    estimation: ProjetRecense | ProjetMisAJour | None = None  # the latest estimate
    priorite: ProjetPriorise | None = None
    accompagnements: int = 0
    qualification: ProjetQualifie | None = None
    demande: DemandeAideDeposee | None = None
    instruction: AideInstruite | AideInstructionDefavorable | None = None
    fin: ProjetOriente | ProjetAbandonne | None = None


def stream_id(projet_id: str) -> str:
    return f"projet-{projet_id}"


def evolve(state: Projet, event: DomainEvent) -> Projet:
    """Total: a type this version does not know leaves the state as is."""
    match event:
        case ProjetRecense():
            return replace(state, etat=EtatProjet.RECENSE, recensement=event, estimation=event)
        case ProjetMisAJour():
            return replace(state, estimation=event)
        case ProjetPriorise():
            return replace(state, priorite=event)
        case ProjetAccompagne():
            return replace(state, accompagnements=state.accompagnements + 1)
        case ProjetOriente():
            return replace(state, etat=EtatProjet.ORIENTE, fin=event)
        case ProjetAbandonne():
            return replace(state, etat=EtatProjet.ABANDONNE, fin=event)
        case ProjetQualifie():
            return replace(state, etat=EtatProjet.QUALIFIE, qualification=event)
        case DemandeAideDeposee():
            return replace(state, etat=EtatProjet.DEMANDE_DEPOSEE, demande=event, instruction=None)
        case AideInstruite():
            return replace(state, etat=EtatProjet.INSTRUIT_FAVORABLE, instruction=event)
        case AideInstructionDefavorable():
            return replace(state, etat=EtatProjet.QUALIFIE, instruction=event)
    return state
