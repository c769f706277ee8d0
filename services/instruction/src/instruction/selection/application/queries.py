"""Reads over all dossiers: the national list, by wave and phase."""

from __future__ import annotations

from instruction.selection.domain.decider import decider
from instruction.selection.domain.dossier import Dossier, Phase
from kernel.command_handler import fold_recorded
from kernel.ports import StreamReader

PREFIX = "dossier-"


async def lister_dossiers(
    streams: StreamReader, vague: int | None = None, phase: Phase | None = None
) -> list[tuple[str, Dossier, int]]:
    """Every dossier (candidature id, state, version), filtered by wave and phase (a few hundred at most:
    folded on read)."""
    found = []
    for stream, history in (await streams.read_streams(PREFIX)).items():
        state = fold_recorded(decider, history)
        wave = state.candidature.vague if state.candidature else (state.releve.vague if state.releve else None)
        if (vague is None or wave == vague) and (phase is None or state.phase is phase):
            found.append((stream.removeprefix(PREFIX), state, len(history)))
    return found
