"""Read side of an envelope: its current state, folded from its stream, shaped for answers."""

from __future__ import annotations

from typing import Any

from financement.domain import politique
from financement.domain.decider import decider
from financement.domain.enveloppe import EnveloppeTerritoriale, stream_id
from financement.domain.programme import Programme
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
        "verse_centimes": state.verse_centimes,
        "rembourse_centimes": state.rembourse_centimes,
        "ajustements": [a.model_dump(mode="json") for a in state.ajustements],
        "contributions": [c.model_dump(mode="json") for c in attribution.contributions] if attribution else [],
        "aides": [aide.model_dump(mode="json") for aide in state.aides.values()],
        "refus": [refus.model_dump(mode="json") for refus in state.refus.values()],
        "projets_qualifies": [projet.model_dump(mode="json") for projet in state.projets.values()],
        "instructions": [i.model_dump(mode="json") for i in state.instructions.values()],
    }


def vue_aide(aide_id: str, state: EnveloppeTerritoriale) -> dict[str, Any]:
    aide, suivi = state.aides[aide_id], state.suivi(aide_id)
    return {
        "aide": aide.model_dump(mode="json"),
        "convention_signee": suivi.convention is not None,
        "verse_centimes": suivi.verse_centimes,
        "soldee": suivi.solde.model_dump(mode="json") if suivi.solde else None,
        "echeancier": suivi.echeancier.model_dump(mode="json")["echeances"] if suivi.echeancier else None,
        "rembourse_centimes": suivi.rembourse_centimes,
        "impayes": [i.model_dump(mode="json") for i in suivi.impayes.values()],
        "annulee": suivi.annulation.model_dump(mode="json") if suivi.annulation else None,
        "enveloppe": {"engage_centimes": state.engage_centimes, "disponible_centimes": state.disponible_centimes},
    }


def vue_programme(state: Programme) -> dict[str, Any]:
    return {
        "fonds_investissement_centimes": politique.FONDS_INVESTISSEMENT_CENTIMES,
        "fonds_reserve_centimes": state.reserve_centimes,
        "fonds_disponible_centimes": state.fonds_disponible_centimes,
        "ingenierie_centimes": politique.ENVELOPPE_INGENIERIE_CENTIMES,
        "ingenierie_commandee_centimes": state.commande_centimes,
        "bons_de_commande": [b.model_dump(mode="json") for b in state.bons.values()],
        "seuils_consommation_atteints": sorted(state.seuils_atteints),
    }
