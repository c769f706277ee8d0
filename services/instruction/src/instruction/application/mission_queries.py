"""Reads and watchers over all missions: list them by state, and record the alerts time has made due."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import structlog

from contracts.base import DomainEvent
from instruction.application.mission_handlers import executer
from instruction.domain.mission import EtatMission, Mission
from instruction.domain.mission_alertes import convention_en_retard, mois_sans_copil
from instruction.domain.mission_commands import ConstaterRetardConvention, SignalerComitePilotageManquant
from instruction.domain.mission_decider import decider
from kernel.ports import CommandContext, EventStore

log = structlog.get_logger(__name__)


class HistoriquesMissions(Protocol):
    """Port: the events of every mission stream, by territoire_id, in stream order."""

    async def missions(self) -> dict[str, Sequence[DomainEvent]]: ...


@dataclass(frozen=True, slots=True)
class MissionConnue:
    territoire_id: str
    mission: Mission
    version: int


async def missions(historiques: HistoriquesMissions, etat: EtatMission | None = None) -> list[MissionConnue]:
    """Every opened mission (optionally only those in `etat`), by territoire_id."""
    found = [
        MissionConnue(tid, decider.fold(events), len(events))
        for tid, events in sorted((await historiques.missions()).items())
    ]
    return [m for m in found if m.mission.etat is not EtatMission.AUCUNE and etat in (None, m.mission.etat)]


ContextePour = Callable[[str], CommandContext]  # idempotency key → the watcher's command context


async def constater_alertes(
    store: EventStore, historiques: HistoriquesMissions, maintenant: datetime, contexte_pour: ContextePour
) -> int:
    """Record every alert due at `maintenant`; returns how many were recorded. Idempotent: each alert
    has a key of its own (territory + month), and decide records nothing already recorded."""
    recorded = 0
    for connue in await missions(historiques):
        try:
            recorded += await _alertes_de(store, connue, maintenant, contexte_pour)
        except Exception as error:  # noqa: BLE001 - one mission's failure must not hide the others' alerts
            log.warning("mission.alertes.failed", territoire_id=connue.territoire_id, error=repr(error))
    return recorded


async def _alertes_de(
    store: EventStore, connue: MissionConnue, maintenant: datetime, contexte_pour: ContextePour
) -> int:
    tid, mission, recorded = connue.territoire_id, connue.mission, 0
    if convention_en_retard(mission, maintenant):
        command = ConstaterRetardConvention(territoire_id=tid, maintenant=maintenant)
        recorded += len(await executer(store, command, contexte_pour(f"convention-en-retard:{tid}")))
    for mois in mois_sans_copil(mission, maintenant):
        signal = SignalerComitePilotageManquant(territoire_id=tid, mois=mois, maintenant=maintenant)
        recorded += len(await executer(store, signal, contexte_pour(f"copil-manquant:{tid}:{mois}")))
    return recorded
