"""The Vague aggregate (stream `vague-<N>`): its relève, recorded once, with the exact list of the
candidatures deposited in it and not withdrawn (the application reads that list under the wave's lock)."""

from __future__ import annotations

from dataclasses import dataclass

from candidature.domain.commands import ReleverVague
from candidature.domain.errors import RelevePrematuree
from contracts.base import DomainEvent
from contracts.candidature.v1 import VagueRelevee
from kernel.decider import Decider


@dataclass(frozen=True, slots=True)
class Vague:
    releve: VagueRelevee | None = None


def stream_id(numero: int) -> str:
    return f"vague-{numero}"


def evolve(state: Vague, event: DomainEvent) -> Vague:
    match event:
        case VagueRelevee():
            return Vague(releve=event)
        case _:
            return state


def decide(command: ReleverVague, state: Vague) -> list[DomainEvent]:
    if state.releve is not None:
        return []  # recorded once: a late or repeated watcher adds nothing
    if command.maintenant < command.releve_le:
        raise RelevePrematuree(command.vague, command.releve_le)
    return [
        VagueRelevee(vague=command.vague, releve_le=command.releve_le, candidatures=sorted(set(command.candidatures)))
    ]


decider: Decider[ReleverVague, DomainEvent, Vague] = Decider(decide=decide, evolve=evolve, initial_state=Vague())
