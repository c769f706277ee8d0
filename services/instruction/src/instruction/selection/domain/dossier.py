"""The Dossier aggregate's state and its evolve: one candidature's selection, from its reception by
instruction to the Prime Minister's decision (stream `dossier-<candidature_id>`; DOMAIN-REFERENCE §2.5
rows 3-9). A laureate territory is identified by its winning candidature: territoire_id == candidature_id.

    AUCUNE --CandidatureRecue--> RECUE --DossierReleve--> RELEVEE
    AUCUNE --DossierReleve--> RELEVEE_SANS_DEPOT --CandidatureRecue--> RELEVEE   (streams are not ordered)
    RECUE --DossierClos--> CLOS                                                     (withdrawn)
    RELEVEE --CandidatureJugeeIneligible--> IRRECEVABLE
    RELEVEE --CandidatureJugeeRecevable--> RECEVABLE --InstructionOuverte--> EN_INSTRUCTION
    EN_INSTRUCTION: ComplementsDemandes/Fournis, ExpertDesigne, AvisExpertRecu, CritereEvalue (phase kept)
    EN_INSTRUCTION --ConclusionsInstructionTransmises--> PROPOSEE | NON_PROPOSEE
    PROPOSEE | NON_PROPOSEE --AvisComiteRendu--> AVIS_COMITE --AvisSGPIRendu--> AVIS_SGPI
    AVIS_SGPI --TerritoireLaureat--> LAUREAT  |  --CandidatureNonRetenue--> NON_RETENUE

The laureate's mission (convention, COPIL, projects) is another aggregate, `mission-<territoire_id>`."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from contracts.base import DomainEvent
from contracts.instruction.v1 import (
    AvisComiteRendu,
    AvisExpertRecu,
    AvisSGPIRendu,
    CandidatureJugeeIneligible,
    CandidatureJugeeRecevable,
    CandidatureNonRetenue,
    CandidatureRecue,
    ComplementsDemandes,
    ComplementsFournis,
    ConclusionsInstructionTransmises,
    CritereEvalue,
    CritereSelection,
    DossierClos,
    DossierConsulte,
    DossierReleve,
    ExpertDesigne,
    InstructionOuverte,
    Proposition,
    TerritoireLaureat,
)

Evenement = DomainEvent
Decision = TerritoireLaureat | CandidatureNonRetenue
Recevabilite = CandidatureJugeeRecevable | CandidatureJugeeIneligible


class Phase(StrEnum):
    AUCUNE = "AUCUNE"  # nothing received yet
    RECUE = "RECUE"  # deposited, before the relève
    RELEVEE_SANS_DEPOT = "RELEVEE_SANS_DEPOT"  # listed by the relève; its deposit has not reached us yet
    CLOS = "CLOS"  # withdrawn: never instructed
    RELEVEE = "RELEVEE"  # frozen: eligibility may be judged
    IRRECEVABLE = "IRRECEVABLE"
    RECEVABLE = "RECEVABLE"
    EN_INSTRUCTION = "EN_INSTRUCTION"
    PROPOSEE = "PROPOSEE"
    NON_PROPOSEE = "NON_PROPOSEE"
    AVIS_COMITE = "AVIS_COMITE"
    AVIS_SGPI = "AVIS_SGPI"
    LAUREAT = "LAUREAT"
    NON_RETENUE = "NON_RETENUE"


DECIDEES = frozenset({Phase.LAUREAT, Phase.NON_RETENUE})
FINALES = DECIDEES | {Phase.CLOS, Phase.IRRECEVABLE}
CONCLUES = (Phase.PROPOSEE, Phase.NON_PROPOSEE)


class Complement(BaseModel):
    """A request for complements and, once the territory answered, its answer."""

    model_config = ConfigDict(frozen=True)
    demande: ComplementsDemandes
    reponse: ComplementsFournis | None = None


class Expertise(BaseModel):
    """An expert's designation on this dossier and, once given, their opinion."""

    model_config = ConfigDict(frozen=True)
    designation: ExpertDesigne
    avis: AvisExpertRecu | None = None


class Dossier(BaseModel):
    """Folded state; it keeps the facts themselves so that decide can compare a repeated command."""

    model_config = ConfigDict(frozen=True)
    phase: Phase = Phase.AUCUNE
    candidature: CandidatureRecue | None = None
    releve: DossierReleve | None = None
    cloture: DossierClos | None = None
    recevabilite: Recevabilite | None = None
    instruction: InstructionOuverte | None = None
    complements: dict[str, Complement] = Field(default_factory=dict)
    experts: dict[str, Expertise] = Field(default_factory=dict)
    criteres: dict[CritereSelection, CritereEvalue] = Field(default_factory=dict)
    conclusions: ConclusionsInstructionTransmises | None = None
    avis_comite: AvisComiteRendu | None = None
    avis_sgpi: AvisSGPIRendu | None = None
    decision: Decision | None = None
    consultations: int = 0

    @property
    def laureat(self) -> TerritoireLaureat | None:
        """The selection decision, when the territory won."""
        return self.decision if isinstance(self.decision, TerritoireLaureat) else None

    def complements_en_attente(self) -> list[ComplementsDemandes]:
        return [c.demande for c in self.complements.values() if c.reponse is None]


def stream_id(candidature_id: str) -> str:
    return f"dossier-{candidature_id}"


def evolve(state: Dossier, event: DomainEvent) -> Dossier:
    """Total: an event type this version does not fold (written by a newer one) leaves the state as is."""
    update = _reception(state, event) or _instruction(state, event) or _selection(state, event)
    return state.model_copy(update=update) if update else state


def _reception(state: Dossier, event: DomainEvent) -> dict[str, object] | None:
    match event:
        case CandidatureRecue():
            return {"candidature": event, "phase": Phase.RELEVEE if state.releve else Phase.RECUE}
        case DossierReleve():
            waiting = state.phase in (Phase.AUCUNE, Phase.RECUE)
            phase = (Phase.RELEVEE if state.candidature else Phase.RELEVEE_SANS_DEPOT) if waiting else state.phase
            return {"releve": event, "phase": phase}
        case DossierClos():
            return {"cloture": event, "phase": Phase.CLOS}
        case CandidatureJugeeRecevable():
            return {"recevabilite": event, "phase": Phase.RECEVABLE}
        case CandidatureJugeeIneligible():
            return {"recevabilite": event, "phase": Phase.IRRECEVABLE}
        case DossierConsulte():
            return {"consultations": state.consultations + 1}
    return None


def _instruction(state: Dossier, event: DomainEvent) -> dict[str, object] | None:
    match event:
        case InstructionOuverte():
            return {"instruction": event, "phase": Phase.EN_INSTRUCTION}
        case ComplementsDemandes(demande_id=demande_id):
            return {"complements": {**state.complements, demande_id: Complement(demande=event)}}
        case ComplementsFournis(demande_id=demande_id) if demande_id in state.complements:
            answered = state.complements[demande_id].model_copy(update={"reponse": event})
            return {"complements": {**state.complements, demande_id: answered}}
        case ExpertDesigne(expert_id=expert_id):
            previous = state.experts.get(expert_id)
            expertise = Expertise(designation=event, avis=previous.avis if previous else None)
            return {"experts": {**state.experts, expert_id: expertise}}
        case AvisExpertRecu(expert_id=expert_id) if expert_id in state.experts:
            given = state.experts[expert_id].model_copy(update={"avis": event})
            return {"experts": {**state.experts, expert_id: given}}
        case CritereEvalue(critere=critere):
            return {"criteres": {**state.criteres, critere: event}}
        case ConclusionsInstructionTransmises(proposition=proposition):
            phase = Phase.PROPOSEE if proposition is Proposition.PROPOSEE else Phase.NON_PROPOSEE
            return {"conclusions": event, "phase": phase}
    return None


def _selection(state: Dossier, event: DomainEvent) -> dict[str, object] | None:
    match event:
        case AvisComiteRendu():
            return {"avis_comite": event, "phase": Phase.AVIS_COMITE}
        case AvisSGPIRendu():
            return {"avis_sgpi": event, "phase": Phase.AVIS_SGPI}
        case TerritoireLaureat():
            return {"decision": event, "phase": Phase.LAUREAT}
        case CandidatureNonRetenue():
            return {"decision": event, "phase": Phase.NON_RETENUE}
    return None
