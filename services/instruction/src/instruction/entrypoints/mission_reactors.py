"""The mission opens when the service's own laureate decision comes back on its topic (instruction.dossier.v1).

Reading our own topic rather than reacting inside the decision's transaction keeps the Dossier and the
Mission apart (one stream per aggregate, one append per transaction) and lets a mission be rebuilt from
the published log; the consumer's dedup makes it exactly-once."""

from __future__ import annotations

import asyncpg

from contracts import topics
from contracts.base import Role
from contracts.codec import ReceivedEvent
from contracts.envelope import Actor
from contracts.instruction.v1 import TerritoireLaureat
from instruction.application import mission_handlers
from instruction.domain.mission_commands import OuvrirMission
from instruction.entrypoints import mission_watchers
from kernel.consumer import Apply
from kernel.ports import CommandContext
from kernel.runtime import ServiceRuntime

MISSIONS = "instruction.missions"  # consumer name: dedup identity and Kafka group
SYSTEME = Actor(id="instruction", role=Role.SYSTEME)


def register(runtime: ServiceRuntime) -> None:
    """Wire the mission's reactor and its watcher into the service's runtime."""
    runtime.consume(MISSIONS, ouvrir_missions(runtime), topics.INSTRUCTION)
    mission_watchers.register(runtime)


def ouvrir_missions(runtime: ServiceRuntime) -> Apply:
    """Apply one instruction event inside the consumer's transaction (events + dedup record commit together)."""

    async def apply(conn: asyncpg.Connection, received: ReceivedEvent) -> None:
        match received.event:
            case TerritoireLaureat() as laureat:
                await mission_handlers.executer(runtime.store.bound(conn), ouvrir(laureat), context(received))
            case _:
                pass  # the other dossier and mission events do not open anything

    return apply


def ouvrir(laureat: TerritoireLaureat) -> OuvrirMission:
    return OuvrirMission(
        territoire_id=laureat.territoire_id,
        candidature_id=laureat.candidature_id,
        nom_territoire=laureat.nom_territoire,
        region_code=laureat.region_code,
        date_notification=laureat.date_notification,
    )


def context(received: ReceivedEvent) -> CommandContext:
    """Business time, correlation and causation come from the message; its id makes the append idempotent."""
    envelope = received.envelope
    return CommandContext(
        actor=SYSTEME,
        occurred_at=envelope.occurred_at,
        correlation_id=envelope.correlation_id,
        causation_id=str(envelope.event_id),
        idempotency_key=f"{MISSIONS}:{envelope.event_id}",
    )
