"""What the projects need to know of their territory's mission, folded from its published events (the contracts),
not from the mission slice: the slices stay independent, and a qualification checks the COPIL it names."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date

from contracts.base import DomainEvent
from contracts.instruction.mission import (
    ComitePilotageTenu,
    MembreCopil,
    MissionCloturee,
    MissionIngenierieLancee,
    MissionOuverte,
)


@dataclass(frozen=True, slots=True)
class Copil:
    date: date
    membres_absents: frozenset[MembreCopil]


@dataclass(frozen=True, slots=True)
class MissionVue:
    ouverte: bool = False
    date_lancement: date | None = None
    date_cloture: date | None = None
    copils: dict[str, Copil] = field(default_factory=dict)

    @property
    def en_cours(self) -> bool:
        """« IngenierieEnCours or later », until the close: when the census and the qualifications happen."""
        return self.date_lancement is not None and self.date_cloture is None


def vue_de(events: Iterable[DomainEvent]) -> MissionVue:
    vue = MissionVue()
    for event in events:
        match event:
            case MissionOuverte():
                vue = replace(vue, ouverte=True)
            case MissionIngenierieLancee(date_lancement=jour):
                vue = replace(vue, date_lancement=jour)
            case ComitePilotageTenu(copil_id=copil_id, date=jour):
                vue = replace(vue, copils={**vue.copils, copil_id: Copil(jour, event.membres_absents)})
            case MissionCloturee(date=jour):
                vue = replace(vue, date_cloture=jour)
    return vue
