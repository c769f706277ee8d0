"""The Dossier aggregate's state and its evolve: one territory's candidature, from its reception by
instruction to the Prime Minister's decision and, for a laureate, the projects its COPIL qualified.

A state machine on `phase` (stream `dossier-<candidature_id>`; a laureate territory is identified by
its winning candidature, so territoire_id == candidature_id):

    AUCUNE --CandidatureRecue--> RECUE --TerritoireLaureat-----> LAUREAT  (ProjetQualifie: stays LAUREAT)
                                       --CandidatureNonRetenue--> NON_RETENUE

The selection chain (eligibility, CDC instruction, comité, SGPI opinion) adds its phases between
RECUE and the decision; the mission (convention, COPIL meetings) adds its phases after LAUREAT."""
from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from contracts.base import DomainEvent
from contracts.instruction.v1 import CandidatureNonRetenue, CandidatureRecue, ProjetQualifie, TerritoireLaureat

Evenement = CandidatureRecue | TerritoireLaureat | CandidatureNonRetenue | ProjetQualifie
Decision = TerritoireLaureat | CandidatureNonRetenue


class Phase(StrEnum):
    AUCUNE = "AUCUNE"  # nothing received yet
    RECUE = "RECUE"
    LAUREAT = "LAUREAT"
    NON_RETENUE = "NON_RETENUE"


DECIDEES = frozenset({Phase.LAUREAT, Phase.NON_RETENUE})


class Dossier(BaseModel):
    """Folded state; it keeps the facts themselves so that decide can compare a repeated command."""

    model_config = ConfigDict(frozen=True)
    phase: Phase = Phase.AUCUNE
    candidature: CandidatureRecue | None = None
    decision: Decision | None = None
    projets: dict[str, ProjetQualifie] = Field(default_factory=dict)

    @property
    def laureat(self) -> TerritoireLaureat | None:
        """The selection decision, when the territory won (whatever later phase it reached since)."""
        return self.decision if isinstance(self.decision, TerritoireLaureat) else None


def stream_id(candidature_id: str) -> str:
    return f"dossier-{candidature_id}"


def evolve(state: Dossier, event: DomainEvent) -> Dossier:
    """Total: an event type this version does not fold (written by a newer one) leaves the state as is."""
    match event:
        case CandidatureRecue():
            return state.model_copy(update={"phase": Phase.RECUE, "candidature": event})
        case TerritoireLaureat():
            return state.model_copy(update={"phase": Phase.LAUREAT, "decision": event})
        case CandidatureNonRetenue():
            return state.model_copy(update={"phase": Phase.NON_RETENUE, "decision": event})
        case ProjetQualifie(projet_id=projet_id):
            return state.model_copy(update={"projets": {**state.projets, projet_id: event}})
        case _:
            return state
