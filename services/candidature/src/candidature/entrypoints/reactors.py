"""Reactions to other services' events and the relève watcher.

candidature.experts-designes: an expert designated by instruction (ExpertDesigne on instruction.dossier.v1)
is recorded on the candidature's stream (ExpertHabilite), in the consumer's transaction."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from candidature.adapters.unite import unite_de_travail
from candidature.application import handlers
from candidature.application.releve import RELEVE, relever_les_vagues  # noqa: F401 - RELEVE: the watcher name
from candidature.domain.commands import HabiliterExpert
from contracts.base import Role
from contracts.codec import ReceivedEvent
from contracts.envelope import Actor
from contracts.instruction.v1 import ExpertDesigne
from kernel.consumer import Apply
from kernel.ports import CommandContext
from kernel.runtime import ServiceRuntime, Watcher

EXPERTS_DESIGNES = "candidature.experts-designes"  # consumer name: dedup identity and Kafka group
SYSTEME = Actor(id="candidature", role=Role.SYSTEME)


def experts_designes(runtime: ServiceRuntime) -> Apply:
    async def apply(conn: asyncpg.Connection, received: ReceivedEvent) -> None:
        match received.event:
            case ExpertDesigne() as designe:
                command = HabiliterExpert(**designe.model_dump(mode="json"))
                await handlers.habiliter_expert(runtime.store.bound(conn), command, context(received))
            case _:
                pass  # instruction's other events do not concern candidatures

    return apply


def context(received: ReceivedEvent) -> CommandContext:
    """Business time, correlation and causation come from the message; its id makes the append idempotent."""
    envelope = received.envelope
    return CommandContext(
        actor=SYSTEME,
        occurred_at=envelope.occurred_at,
        correlation_id=envelope.correlation_id,
        causation_id=str(envelope.event_id),
        idempotency_key=f"{EXPERTS_DESIGNES}:{envelope.event_id}",
    )


def releve(runtime: ServiceRuntime) -> Watcher:
    """Every minute, and at once when business time moves: record the relèves that have passed."""

    async def job(maintenant: datetime) -> None:
        await relever_les_vagues(runtime.store, unite_de_travail(runtime), maintenant)

    return job
