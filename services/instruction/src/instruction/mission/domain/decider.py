"""The Mission decider: each command goes to the rules of its step (decisions, alerts, projects), one `match`
over the command."""

from __future__ import annotations

from collections.abc import Sequence

from instruction.mission.domain import alertes, decisions
from instruction.mission.domain.commands import (
    CloturerMission,
    Commande,
    ConstaterRetardConvention,
    LancerIngenierie,
    OuvrirMission,
    RestituerFeuilleDeRoute,
    RestituerMission,
    SignalerComitePilotageManquant,
    SignerConvention,
    TenirComitePilotage,
)
from instruction.mission.domain.mission import Evenement, Mission, evolve
from kernel.decider import Decider


def decide(command: Commande, state: Mission) -> Sequence[Evenement]:
    """The events a command produces on this mission; [] when it is already satisfied."""
    match command:
        case OuvrirMission():
            return decisions.ouvrir(command, state)
        case SignerConvention():
            return decisions.signer_convention(command, state)
        case ConstaterRetardConvention():
            return alertes.constater_retard(command, state)
        case LancerIngenierie():
            return decisions.lancer_ingenierie(command, state)
        case TenirComitePilotage():
            return decisions.tenir_comite(command, state)
        case SignalerComitePilotageManquant():
            return alertes.signaler_copil_manquant(command, state)
        case RestituerFeuilleDeRoute():
            return decisions.restituer_feuille(command, state)
        case RestituerMission():
            return decisions.restituer_mission(command, state)
        case CloturerMission():
            return decisions.cloturer(command, state)
    raise TypeError(f"commande inconnue de la mission: {type(command).__name__}")


decider: Decider[Commande, Evenement, Mission] = Decider(decide=decide, evolve=evolve, initial_state=Mission())
