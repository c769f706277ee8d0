"""How a mission is shown: the whole mission (its state and the facts that brought it there), and one line of
the list of missions."""

from __future__ import annotations

from typing import Any

from instruction.mission.domain.mission import Mission, stream_id


def vue(territoire_id: str, state: Mission, version: int) -> dict[str, Any]:
    """The mission as JSON: its state and the facts that brought it there."""
    return {
        "territoire_id": territoire_id,
        "stream_id": stream_id(territoire_id),
        "version": version,
        **state.model_dump(mode="json"),
    }


def resume(territoire_id: str, state: Mission) -> dict[str, Any]:
    """One line of the list of missions."""
    ouverture, lancement = state.ouverture, state.lancement
    return {
        "territoire_id": territoire_id,
        "etat": state.etat.value,
        "nom_territoire": ouverture.nom_territoire if ouverture else None,
        "region_code": ouverture.region_code if ouverture else None,
        "echeance_convention": ouverture.echeance_convention.isoformat() if ouverture else None,
        "convention_en_retard": state.retard_convention is not None,
        "date_lancement": lancement.date_lancement.isoformat() if lancement else None,
        "nb_copils": len(state.copils),
        "mois_sans_copil": state.mois_sans_copil,
        "date_restitution": state.restitution.date.isoformat() if state.restitution else None,
    }
