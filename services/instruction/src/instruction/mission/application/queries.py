"""Reads and watchers over all missions: list them by state, and record the alerts time has made due."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import structlog

from instruction.mission.application.handlers import executer
from instruction.mission.domain.alertes import convention_en_retard, mois_sans_copil
from instruction.mission.domain.commands import ConstaterRetardConvention, SignalerComitePilotageManquant
from instruction.mission.domain.decider import decider
from instruction.mission.domain.mission import EtatMission, Mission
from kernel.command_handler import fold_recorded
from kernel.ports import CommandContext, EventStore, StreamReader

log = structlog.get_logger(__name__)


PREFIX = "mission-"


@dataclass(frozen=True, slots=True)
class MissionConnue:
    territoire_id: str
    mission: Mission
    version: int


async def missions(streams: StreamReader, etat: EtatMission | None = None) -> list[MissionConnue]:
    """Every opened mission (optionally only those in `etat`), by territoire_id."""
    found = [
        MissionConnue(sid.removeprefix(PREFIX), fold_recorded(decider, history), len(history))
        for sid, history in (await streams.read_streams(PREFIX)).items()
    ]
    return [m for m in found if m.mission.etat is not EtatMission.AUCUNE and etat in (None, m.mission.etat)]


ContextePour = Callable[[str], CommandContext]  # idempotency key → the watcher's command context


async def constater_alertes(
    store: EventStore, streams: StreamReader, maintenant: datetime, contexte_pour: ContextePour
) -> int:
    """Record every alert due at `maintenant`; returns how many were recorded. Idempotent: each alert
    has a key of its own (territory + month), and decide records nothing already recorded."""
    recorded = 0
    for connue in await missions(streams):
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
        recorded += len((await executer(store, command, contexte_pour(f"convention-en-retard:{tid}"))).events)
    for mois in mois_sans_copil(mission, maintenant):
        signal = SignalerComitePilotageManquant(territoire_id=tid, mois=mois, maintenant=maintenant)
        recorded += len((await executer(store, signal, contexte_pour(f"copil-manquant:{tid}:{mois}"))).events)
    return recorded
