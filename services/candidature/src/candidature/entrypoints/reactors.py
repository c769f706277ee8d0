"""Reactions to other services' events and the relève watcher.

candidature.experts-designes: an expert designated by instruction (ExpertDesigne on instruction.dossier.v1)
is recorded on the candidature's stream (ExpertHabilite), in the consumer's transaction.
candidature.seuils-consommation: financement's alert that the fund reached a threshold of consumption
(SeuilConsommationAtteint on financement.enveloppe.v1) is recorded on `ami-rebond` (SeuilConsommationSignale), the
first step of an early closure."""

from __future__ import annotations

from datetime import datetime

from candidature.adapters.unite import unite_de_travail
from candidature.application import handlers
from candidature.application.releve import RELEVE, relever_les_vagues
from candidature.domain.commands import HabiliterExpert, SignalerSeuilConsommation
from contracts import topics
from contracts.base import DomainEvent
from contracts.financement.v1 import SeuilConsommationAtteint
from contracts.instruction.v1 import ExpertDesigne
from kernel.adapters.runtime import ServiceRuntime, Watcher
from kernel.reactor import Reaction

EXPERTS_DESIGNES = "candidature.experts-designes"  # consumer name: dedup identity and Kafka group
SEUILS_CONSOMMATION = "candidature.seuils-consommation"
RELEVE_SECONDES = 60


def habilitation_pour(event: DomainEvent) -> HabiliterExpert | None:
    """An expert's designation gives it access to the candidature; instruction's other events do not concern it."""
    match event:
        case ExpertDesigne():
            return HabiliterExpert(**event.model_dump(mode="json"))
    return None


def signalement_pour(event: DomainEvent) -> SignalerSeuilConsommation | None:
    """The fund's alerts prompt the SGPI's opinion; financement's other events do not concern candidature."""
    match event:
        case SeuilConsommationAtteint():
            return SignalerSeuilConsommation(**event.model_dump(mode="json"))
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
    runtime.react(
        SEUILS_CONSOMMATION,
        Reaction[SignalerSeuilConsommation](signalement_pour, handlers.cloturer_ami),
        topics.FINANCEMENT,
    )
    runtime.every(RELEVE, RELEVE_SECONDES, releve(runtime))
