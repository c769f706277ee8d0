"""The mission opens when the service's own laureate decision comes back on its topic (instruction.dossier.v1).

Reading our own topic rather than reacting inside the decision's transaction keeps the Dossier and the
Mission apart (one stream per aggregate, one append per transaction, and the slices independent) and lets a
mission be rebuilt from the published log; the consumer's dedup makes it exactly-once."""

from __future__ import annotations

from contracts import topics
from contracts.base import DomainEvent
from contracts.instruction.v1 import TerritoireLaureat
from instruction.mission.application import handlers
from instruction.mission.domain.commands import OuvrirMission
from instruction.mission.entrypoints import watchers
from kernel.adapters.runtime import ServiceRuntime
from kernel.reactor import Reaction

MISSIONS = "instruction.missions"  # consumer name: dedup identity and Kafka group


def ouverture_pour(event: DomainEvent) -> OuvrirMission | None:
    """A laureate decision opens the territory's mission; the other dossier and mission events open nothing."""
    match event:
        case TerritoireLaureat():
            return OuvrirMission(
                territoire_id=event.territoire_id,
                candidature_id=event.candidature_id,
                nom_territoire=event.nom_territoire,
                region_code=event.region_code,
                date_notification=event.date_notification,
            )
    return None


def register(runtime: ServiceRuntime) -> None:
    """Wire the mission's reactor and its watcher into the service's runtime."""
    runtime.react(MISSIONS, Reaction[OuvrirMission](ouverture_pour, handlers.executer), topics.INSTRUCTION)
    watchers.register(runtime)
