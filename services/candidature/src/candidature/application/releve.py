"""The relève watcher's use case: record VagueRelevee for every wave whose 12:00 has passed.

Exact whatever the watcher's timing: the list is read under the wave's lock, which deposits and withdrawals
of that wave also take, and they are refused once the relève is recorded (handlers._verrouiller_vague_ouverte);
the candidature aggregate itself freezes by its deposit's `releve_le`. A late watcher, several relèves at once,
or two runs (even in two processes) record each wave once: the Vague decider returns [] when it is recorded and
the event id is derived from the wave."""

from __future__ import annotations

from datetime import datetime

from candidature.application.handlers import cloture_anticipee
from candidature.application.ports import UniteDeTravail
from candidature.domain import vague as vagues
from candidature.domain.calendrier import VagueDuCalendrier, vagues_a_relever
from candidature.domain.commands import ReleverVague
from kernel.command_handler import handle_command, load_state
from kernel.ports import CommandContext, EventStore
from kernel.reactor import system_actor

RELEVE = "candidature.releve"


async def relever_les_vagues(store: EventStore, unite: UniteDeTravail, maintenant: datetime) -> list[int]:
    """The waves relevées by this run (usually none)."""
    cloture = await cloture_anticipee(store)
    relevees: list[int] = []
    for vague in vagues_a_relever(maintenant, cloture.effective_le if cloture else None):
        state, _ = await load_state(store, vagues.stream_id(vague.numero), vagues.decider)
        if state.releve is None and await _relever(unite, vague, maintenant):
            relevees.append(vague.numero)
    return relevees


async def _relever(unite: UniteDeTravail, vague: VagueDuCalendrier, maintenant: datetime) -> bool:
    async with unite() as (store, index):
        await index.verrouiller_vague(vague.numero)
        command = ReleverVague(
            vague=vague.numero,
            releve_le=vague.releve_le,
            maintenant=maintenant,
            candidatures=await index.candidatures_de_la_vague(vague.numero),
        )
        context = CommandContext(
            actor=system_actor(RELEVE),
            occurred_at=maintenant,
            correlation_id=f"{RELEVE}:{vague.numero}",
            idempotency_key=f"{RELEVE}:vague-{vague.numero}",
        )
        decision = await handle_command(store, vagues.stream_id(vague.numero), vagues.decider, command, context)
        return decision.created
