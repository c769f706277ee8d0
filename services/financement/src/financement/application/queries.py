"""Read side of an envelope: its current state, folded from its stream, shaped for answers."""

from __future__ import annotations

from typing import Any

from financement.domain.enveloppe import EnveloppeTerritoriale, decider, stream_id
from kernel.command_handler import load_state
from kernel.ports import EventStore


async def enveloppe(store: EventStore, territoire_id: str) -> EnveloppeTerritoriale | None:
    """The envelope's state, or None when nothing at all is known of this territory."""
    state, version = await load_state(store, stream_id(territoire_id), decider)
    return state if version else None


def vue_enveloppe(territoire_id: str, state: EnveloppeTerritoriale) -> dict[str, Any]:
    """The envelope as JSON: amounts in centimes, decisions in recording order."""
    laureat, attribution = state.laureat, state.attribution
    return {
        "territoire_id": territoire_id,
        "laureat": laureat is not None,
        "nom_territoire": laureat.nom_territoire if laureat else None,
        "region_code": laureat.region_code if laureat else None,
        "attribuee": attribution is not None,
        "montant_centimes": state.montant_centimes,
        "engage_centimes": state.engage_centimes,
        "disponible_centimes": state.disponible_centimes,
        "contributions": [c.model_dump(mode="json") for c in attribution.contributions] if attribution else [],
        "aides": [aide.model_dump(mode="json") for aide in state.aides.values()],
        "refus": [refus.model_dump(mode="json") for refus in state.refus.values()],
        "projets_qualifies": [projet.model_dump(mode="json") for projet in state.projets.values()],
    }
