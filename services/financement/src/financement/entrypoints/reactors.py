"""Reactors: what financement learns from instruction's published events (instruction.dossier.v1)."""

from __future__ import annotations

from contracts import topics
from contracts.base import DomainEvent
from contracts.instruction.v1 import ProjetQualifie, TerritoireLaureat
from financement.application import handlers
from financement.domain.commands import Command, EnregistrerLaureat, EnregistrerProjetQualifie
from kernel.adapters.runtime import ServiceRuntime
from kernel.reactor import Reaction

INSTRUCTION_EVENTS = "financement.instruction-events"  # consumer name: dedup identity and Kafka group


def commande_pour(event: DomainEvent) -> Command | None:
    """The command an instruction event asks of an envelope; None for events financement ignores."""
    match event:
        case TerritoireLaureat():
            return EnregistrerLaureat(
                territoire_id=event.territoire_id,
                nom_territoire=event.nom_territoire,
                region_code=event.region_code,
                date_decision=event.date_decision,
            )
        case ProjetQualifie():
            return EnregistrerProjetQualifie(
                territoire_id=event.territoire_id,
                projet_id=event.projet_id,
                siret=event.siret,
                assiette_estimee_centimes=event.assiette_estimee_centimes,
            )
    return None


def register(runtime: ServiceRuntime) -> None:
    runtime.react(INSTRUCTION_EVENTS, Reaction[Command](commande_pour, handlers.executer), topics.INSTRUCTION)
