"""The Dossier decider: each command goes to the rules of its step of the state machine."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from instruction.domain import experts, instruction, reception, selection
from instruction.domain.commands import (
    CloreDossier,
    Commande,
    ConsignerConsultation,
    DeciderSelection,
    DemanderComplements,
    DesignerExpert,
    EnregistrerCandidature,
    EvaluerCritere,
    FournirComplements,
    JugerRecevabilite,
    OuvrirInstruction,
    ReleverDossier,
    RendreAvisComite,
    RendreAvisExpert,
    RendreAvisSGPI,
    TransmettreConclusions,
)
from instruction.domain.dossier import Dossier, Evenement, evolve
from kernel.decider import Decider

STEPS: dict[type[Any], Callable[[Any, Dossier], Sequence[Evenement]]] = {
    EnregistrerCandidature: reception.enregistrer,
    ReleverDossier: reception.relever,
    CloreDossier: reception.clore,
    ConsignerConsultation: reception.consigner,
    JugerRecevabilite: instruction.juger,
    OuvrirInstruction: instruction.ouvrir,
    DemanderComplements: instruction.demander_complements,
    FournirComplements: instruction.fournir_complements,
    EvaluerCritere: instruction.evaluer,
    TransmettreConclusions: instruction.conclure,
    DesignerExpert: experts.designer,
    RendreAvisExpert: experts.rendre_avis,
    RendreAvisComite: selection.avis_comite,
    RendreAvisSGPI: selection.avis_sgpi,
    DeciderSelection: selection.decider,
}


def decide(command: Commande, state: Dossier) -> Sequence[Evenement]:
    step = STEPS.get(type(command))
    if step is None:
        raise TypeError(f"commande inconnue du dossier: {type(command).__name__}")
    return step(command, state)


decider: Decider[Commande, Evenement, Dossier] = Decider(decide=decide, evolve=evolve, initial_state=Dossier())
