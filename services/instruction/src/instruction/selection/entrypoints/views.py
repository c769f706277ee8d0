"""The dossier as JSON, cut to the view its reader is entitled to (domain.acces decides which)."""

from __future__ import annotations

from typing import Any

from contracts.envelope import Actor
from contracts.instruction.v1 import VueDossier
from instruction.selection.domain.acces import statut_territoire
from instruction.selection.domain.dossier import Dossier, stream_id


def rendre(candidature_id: str, state: Dossier, version: int, vue: VueDossier, actor: Actor) -> dict[str, Any]:
    head: dict[str, Any] = {
        "stream_id": stream_id(candidature_id),
        "version": version,
        "vue": vue.value,
        "candidature_id": candidature_id,
    }
    match vue:
        case VueDossier.COMPLETE:
            return head | complete(state)
        case VueDossier.EXPERT:
            return head | expert(state, actor.id)
        case VueDossier.TERRITOIRE:
            return head | territoire(state)


def complete(state: Dossier) -> dict[str, Any]:
    en_attente = [d.demande_id for d in state.complements_en_attente()]
    return state.model_dump(mode="json") | {"complements_en_attente": en_attente}


def expert(state: Dossier, expert_id: str) -> dict[str, Any]:
    """The candidature and this expert's own designation and opinion; no other opinion, no deliberation."""
    expertise = state.experts[expert_id]
    return {
        "candidature": _json(state.candidature),
        "designation": _json(expertise.designation),
        "avis": _json(expertise.avis),
    }


def territoire(state: Dossier) -> dict[str, Any]:
    """Status, eligibility verdict, the requests to answer and the decision; never the opinions."""
    return {
        "statut": statut_territoire(state.phase),
        "candidature": _json(state.candidature),
        "releve": _json(state.releve),
        "cloture": _json(state.cloture),
        "recevabilite": _json(state.recevabilite),
        "complements_en_attente": [d.model_dump(mode="json") for d in state.complements_en_attente()],
        "decision": _json(state.decision),
    }


def resume(candidature_id: str, state: Dossier, version: int) -> dict[str, Any]:
    """One line of the national list."""
    candidature = state.candidature
    return {
        "candidature_id": candidature_id,
        "phase": state.phase.value,
        "version": version,
        "vague": candidature.vague if candidature else (state.releve.vague if state.releve else None),
        "nom_territoire": candidature.nom_territoire if candidature else None,
        "region_code": candidature.region_code if candidature else None,
    }


def _json(fact: Any) -> Any:
    return None if fact is None else fact.model_dump(mode="json")
