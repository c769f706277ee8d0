"""The Dossier decider: each command goes to the rules of its step of the state machine."""
from __future__ import annotations

from collections.abc import Sequence

from kernel.decider import Decider

from instruction.domain import projets, selection
from instruction.domain.commands import Commande, DeciderSelection, EnregistrerCandidature, QualifierProjet
from instruction.domain.dossier import Dossier, Evenement, evolve


def decide(command: Commande, state: Dossier) -> Sequence[Evenement]:
    match command:
        case EnregistrerCandidature():
            return selection.enregistrer(command, state)
        case DeciderSelection():
            return selection.decider(command, state)
        case QualifierProjet():
            return projets.qualifier(command, state)
    raise TypeError(f"commande inconnue du dossier: {type(command).__name__}")


decider: Decider[Commande, Evenement, Dossier] = Decider(decide=decide, evolve=evolve, initial_state=Dossier())
