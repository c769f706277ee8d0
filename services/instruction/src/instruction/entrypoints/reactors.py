"""Reactions to other services' events: a deposited candidature opens its dossier in instruction."""
from __future__ import annotations

import asyncpg

from contracts.base import Role
from contracts.candidature.v1 import CandidatureDeposee
from contracts.codec import ReceivedEvent
from contracts.envelope import Actor
from kernel.consumer import Apply
from kernel.ports import CommandContext
from kernel.runtime import ServiceRuntime

from instruction.application import handlers
from instruction.domain.commands import EnregistrerCandidature

CANDIDATURES_RECUES = "instruction.candidatures-recues"  # consumer name: dedup identity and Kafka group
SYSTEME = Actor(id="instruction", role=Role.SYSTEME)


def candidatures_recues(runtime: ServiceRuntime) -> Apply:
    """Apply one candidature event inside the consumer's transaction (events + dedup record commit together)."""

    async def apply(conn: asyncpg.Connection, received: ReceivedEvent) -> None:
        match received.event:
            case CandidatureDeposee() as deposee:
                await handlers.enregistrer_candidature(
                    runtime.store.bound(conn), enregistrer(deposee), context(CANDIDATURES_RECUES, received))
            case _:
                pass  # the candidature's other events do not concern instruction (yet)

    return apply


def enregistrer(deposee: CandidatureDeposee) -> EnregistrerCandidature:
    return EnregistrerCandidature(
        candidature_id=deposee.candidature_id, vague=deposee.vague, nom_territoire=deposee.nom_territoire,
        region_code=deposee.region_code, epci_sirens=deposee.epci_sirens)


def context(consumer: str, received: ReceivedEvent) -> CommandContext:
    """Business time, correlation and causation come from the message; its id makes the append idempotent."""
    envelope = received.envelope
    return CommandContext(
        actor=SYSTEME, occurred_at=envelope.occurred_at, correlation_id=envelope.correlation_id,
        causation_id=str(envelope.event_id), idempotency_key=f"{consumer}:{envelope.event_id}")
