"""Decisions on the industrial projects of a laureate territory (its COPIL local qualifies them)."""
from __future__ import annotations

from contracts.instruction.v1 import ProjetQualifie
from instruction.domain.commands import QualifierProjet
from instruction.domain.dossier import Dossier
from instruction.domain.errors import CopilAvantDecision, ProjetDejaQualifie, TerritoireNonLaureat


def qualifier(command: QualifierProjet, state: Dossier) -> list[ProjetQualifie]:
    """Once per project: the same qualification again is [], other terms are refused."""
    laureat = state.laureat
    if laureat is None:
        raise TerritoireNonLaureat(f"le territoire {command.territoire_id} n'est pas lauréat")
    if command.date_copil < laureat.date_decision:
        raise CopilAvantDecision(
            f"COPIL du {command.date_copil} antérieur à la décision du {laureat.date_decision}")
    projet = ProjetQualifie(**command.model_dump())
    deja = state.projets.get(command.projet_id)
    if deja == projet:
        return []
    if deja is not None:
        raise ProjetDejaQualifie(f"le projet {command.projet_id} est déjà qualifié, en d'autres termes")
    return [projet]
