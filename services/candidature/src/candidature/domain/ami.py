"""The AMI itself (stream `ami-rebond`): its early closure « par arrêté de la Première ministre pris sur
avis du Secrétariat général pour l'investissement (SGPI) » [000], effective when it is recorded."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from candidature.domain.calendrier import cloture
from candidature.domain.commands import CloturerAMI
from candidature.domain.errors import AMIClos, AMIDejaClos, ClotureIncoherente
from contracts.base import DomainEvent
from contracts.candidature.v1 import AMIClotureAnticipee
from kernel.decider import Decider

STREAM_ID = "ami-rebond"
PARIS = ZoneInfo("Europe/Paris")


@dataclass(frozen=True, slots=True)
class AMI:
    cloture: AMIClotureAnticipee | None = None


def evolve(state: AMI, event: DomainEvent) -> AMI:
    match event:
        case AMIClotureAnticipee():
            return AMI(cloture=event)
        case _:
            return state


def decide(command: CloturerAMI, state: AMI) -> list[DomainEvent]:
    if state.cloture is not None:
        if _arrete(state.cloture) == _arrete(command):
            return []  # the same arrêté again
        raise AMIDejaClos(state.cloture.reference_arrete)
    if command.effective_le >= cloture():
        raise AMIClos(command.effective_le, cloture())
    if command.date_avis_sgpi > command.date_arrete:
        raise ClotureIncoherente(
            f"l'arrêté du {command.date_arrete} est pris sur avis du SGPI: "
            f"l'avis ne peut être du {command.date_avis_sgpi}"
        )
    if command.date_arrete > command.effective_le.astimezone(PARIS).date():
        raise ClotureIncoherente(f"l'arrêté du {command.date_arrete} n'est pas encore pris")
    return [AMIClotureAnticipee(**command.model_dump())]


def _arrete(fait: AMIClotureAnticipee | CloturerAMI) -> tuple[object, ...]:
    return fait.date_arrete, fait.reference_arrete, fait.date_avis_sgpi


decider: Decider[CloturerAMI, DomainEvent, AMI] = Decider(decide=decide, evolve=evolve, initial_state=AMI())
