"""Reactors: what financement learns from instruction's published events (instruction.dossier.v1)."""

from __future__ import annotations

import asyncpg

from contracts import topics
from contracts.base import DomainEvent, Role
from contracts.codec import ReceivedEvent
from contracts.envelope import Actor
from contracts.instruction.v1 import ProjetQualifie, TerritoireLaureat
from financement.application import handlers
from financement.domain.commands import Command, EnregistrerLaureat, EnregistrerProjetQualifie
from kernel.consumer import Apply
from kernel.ports import CommandContext
from kernel.runtime import ServiceRuntime

INSTRUCTION_EVENTS = "financement.instruction-events"
SYSTEME = Actor(id="financement", role=Role.SYSTEME)


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


def contexte(received: ReceivedEvent, consumer: str) -> CommandContext:
    """Caused by the received event; deterministic event ids make a redelivery append nothing."""
    envelope = received.envelope
    return CommandContext(
        actor=SYSTEME,
        occurred_at=envelope.occurred_at,
        correlation_id=envelope.correlation_id,
        causation_id=str(envelope.event_id),
        idempotency_key=f"{consumer}:{envelope.event_id}",
    )


def on_instruction_event(runtime: ServiceRuntime) -> Apply:
    """Apply one instruction event inside the consumer's transaction (events + dedup record commit together)."""

    async def apply(conn: asyncpg.Connection, received: ReceivedEvent) -> None:
        command = commande_pour(received.event)
        if command is not None:
            await handlers.executer(runtime.store.bound(conn), command, contexte(received, INSTRUCTION_EVENTS))

    return apply


def register(runtime: ServiceRuntime) -> None:
    runtime.consume(INSTRUCTION_EVENTS, on_instruction_event(runtime), topics.INSTRUCTION)
