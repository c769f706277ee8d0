"""The Mission decider: each command goes to the rules of its step."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from instruction.domain import mission_alertes, mission_decisions, mission_projets
from instruction.domain.mission import Evenement, Mission, evolve
from instruction.domain.mission_commands import (
    CloturerMission,
    Commande,
    ConstaterRetardConvention,
    LancerIngenierie,
    OuvrirMission,
    QualifierProjet,
    RestituerFeuilleDeRoute,
    RestituerMission,
    SignalerComitePilotageManquant,
    SignerConvention,
    TenirComitePilotage,
)
from kernel.decider import Decider

REGLES: dict[type[Any], Callable[[Any, Mission], Sequence[Evenement]]] = {
    OuvrirMission: mission_decisions.ouvrir,
    SignerConvention: mission_decisions.signer_convention,
    ConstaterRetardConvention: mission_alertes.constater_retard,
    LancerIngenierie: mission_decisions.lancer_ingenierie,
    TenirComitePilotage: mission_decisions.tenir_comite,
    SignalerComitePilotageManquant: mission_alertes.signaler_copil_manquant,
    QualifierProjet: mission_projets.qualifier,
    RestituerFeuilleDeRoute: mission_decisions.restituer_feuille,
    RestituerMission: mission_decisions.restituer_mission,
    CloturerMission: mission_decisions.cloturer,
}


def decide(command: Commande, state: Mission) -> Sequence[Evenement]:
    regle = REGLES.get(type(command))
    if regle is None:
        raise TypeError(f"commande inconnue de la mission: {type(command).__name__}")
    return regle(command, state)


decider: Decider[Commande, Evenement, Mission] = Decider(decide=decide, evolve=evolve, initial_state=Mission())
