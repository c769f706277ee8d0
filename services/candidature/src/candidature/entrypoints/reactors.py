"""Reactions to other services' events and the relève watcher.

candidature.experts-designes: an expert designated by instruction (ExpertDesigne on instruction.dossier.v1)
is recorded on the candidature's stream (ExpertHabilite), in the consumer's transaction."""

from __future__ import annotations

from datetime import datetime

from candidature.adapters.unite import unite_de_travail
from candidature.application import handlers
from candidature.application.releve import RELEVE, relever_les_vagues
from candidature.domain.commands import HabiliterExpert
from contracts import topics
from contracts.base import DomainEvent
from contracts.instruction.v1 import ExpertDesigne
from kernel.adapters.runtime import ServiceRuntime, Watcher
from kernel.reactor import Reaction

EXPERTS_DESIGNES = "candidature.experts-designes"  # consumer name: dedup identity and Kafka group
RELEVE_SECONDES = 60


def habilitation_pour(event: DomainEvent) -> HabiliterExpert | None:
    """An expert's designation gives it access to the candidature; instruction's other events do not concern it."""
    match event:
        case ExpertDesigne():
            return HabiliterExpert(**event.model_dump(mode="json"))
    return None


def releve(runtime: ServiceRuntime) -> Watcher:
    """Every minute, and at once when business time moves: record the relèves that have passed."""

    async def job(maintenant: datetime) -> None:
        await relever_les_vagues(runtime.store, unite_de_travail(runtime), maintenant)

    return job


def register(runtime: ServiceRuntime) -> None:
    runtime.react(
        EXPERTS_DESIGNES, Reaction[HabiliterExpert](habilitation_pour, handlers.habiliter_expert), topics.INSTRUCTION
    )
    runtime.every(RELEVE, RELEVE_SECONDES, releve(runtime))
