"""The companies a territory's consultants met (stream `recensement-<territoire_id>`): the census's interviews,
keyed by entretien_id; « industriels rencontrés » counts their distinct SIRENs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from contracts.base import DomainEvent
from contracts.instruction.projets import EntrepriseRencontree


@dataclass(frozen=True, slots=True)
class Recensement:
    entretiens: Mapping[str, EntrepriseRencontree] = field(default_factory=dict)


def stream_id(territoire_id: str) -> str:
    return f"recensement-{territoire_id}"


def evolve(state: Recensement, event: DomainEvent) -> Recensement:
    match event:
        case EntrepriseRencontree(entretien_id=entretien_id):
            return replace(state, entretiens={**state.entretiens, entretien_id: event})
    return state
