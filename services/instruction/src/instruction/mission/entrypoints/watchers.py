"""The mission's watcher: every minute, and at once when business time moves, it records the convention
deadlines passed and the months without COPIL (application.queries.constater_alertes)."""

from __future__ import annotations

import uuid
from datetime import datetime

import structlog

from instruction.mission.application.queries import constater_alertes
from kernel.adapters.runtime import ServiceRuntime, Watcher
from kernel.ports import CommandContext
from kernel.reactor import system_actor

ALERTES = "instruction.mission-alertes"  # watcher name; the actor of what it records
PERIODE_SECONDES = 60.0
log = structlog.get_logger(__name__)


def register(runtime: ServiceRuntime) -> None:
    runtime.every(ALERTES, PERIODE_SECONDES, alertes(runtime))


def alertes(runtime: ServiceRuntime) -> Watcher:
    """The job: business time is the service clock's `now`, passed in by the runtime."""

    async def job(now: datetime) -> None:
        correlation_id = str(uuid.uuid4())

        def contexte_pour(key: str) -> CommandContext:
            return CommandContext(
                actor=system_actor(ALERTES),
                occurred_at=now,
                correlation_id=correlation_id,
                idempotency_key=f"{ALERTES}:{key}",
            )

        recorded = await constater_alertes(runtime.store, runtime.store, now, contexte_pour)
        if recorded:
            log.info("mission.alertes.recorded", count=recorded, now=now.isoformat())

    return job
