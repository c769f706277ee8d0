"""Shared rules of the Dossier's steps: the phases a step is allowed from, and repeated commands."""

from __future__ import annotations

from contracts.base import DomainEvent
from instruction.selection.domain.dossier import Dossier, Phase
from instruction.selection.domain.errors import CandidatureInconnue, EtatIncompatible


def exiger(state: Dossier, action: str, *attendues: Phase) -> None:
    """Refuse the step unless the dossier is in one of the `attendues` phases."""
    if state.phase in attendues:
        return
    if state.candidature is None and state.phase in (Phase.AUCUNE, Phase.RELEVEE_SANS_DEPOT):
        raise CandidatureInconnue(
            f"{action}: aucune candidature reçue par l'instruction"
            if state.phase is Phase.AUCUNE
            else f"{action}: candidature relevée, mais son dépôt n'est pas encore reçu"
        )
    raise EtatIncompatible(action, state.phase.value, (p.value for p in attendues))


def meme_fait(nouveau: DomainEvent, ancien: DomainEvent | None, *circonstances: str) -> bool:
    """The same fact again, whatever day it is repeated on (`circonstances`: the fields that depend on
    the day): the command is already satisfied."""
    if ancien is None or type(nouveau) is not type(ancien):
        return False
    exclude = set(circonstances)
    return nouveau.model_dump(exclude=exclude) == ancien.model_dump(exclude=exclude)


def vague_de(state: Dossier, action: str) -> int:
    """The candidature's wave; refuses a step on a dossier whose deposit instruction has not received."""
    if state.candidature is None:
        exiger(state, action)
    assert state.candidature is not None
    return state.candidature.vague
