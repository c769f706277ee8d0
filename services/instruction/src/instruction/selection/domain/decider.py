"""The Dossier decider: each command goes to the rules of its step of the state machine (reception, instruction,
experts, decision), one `match` over the command."""

from __future__ import annotations

from collections.abc import Sequence

from instruction.selection.domain import decision, experts, instruction, reception
from instruction.selection.domain.commands import (
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
from instruction.selection.domain.dossier import Dossier, Evenement, evolve
from kernel.decider import Decider


def decide(command: Commande, state: Dossier) -> Sequence[Evenement]:
    """The events a command produces on this dossier; [] when it is already satisfied."""
    match command:
        case EnregistrerCandidature():
            return reception.enregistrer(command, state)
        case ReleverDossier():
            return reception.relever(command, state)
        case CloreDossier():
            return reception.clore(command, state)
        case ConsignerConsultation():
            return reception.consigner(command, state)
        case JugerRecevabilite():
            return instruction.juger(command, state)
        case OuvrirInstruction():
            return instruction.ouvrir(command, state)
        case DemanderComplements():
            return instruction.demander_complements(command, state)
        case FournirComplements():
            return instruction.fournir_complements(command, state)
        case EvaluerCritere():
            return instruction.evaluer(command, state)
        case TransmettreConclusions():
            return instruction.conclure(command, state)
        case DesignerExpert():
            return experts.designer(command, state)
        case RendreAvisExpert():
            return experts.rendre_avis(command, state)
        case RendreAvisComite():
            return decision.avis_comite(command, state)
        case RendreAvisSGPI():
            return decision.avis_sgpi(command, state)
        case DeciderSelection():
            return decision.decider(command, state)
    raise TypeError(f"commande inconnue du dossier: {type(command).__name__}")


decider: Decider[Commande, Evenement, Dossier] = Decider(decide=decide, evolve=evolve, initial_state=Dossier())
