"""Qualification of industrial projects by a laureate territory's COPIL local (DOMAIN-REFERENCE §3.2)."""

from __future__ import annotations

from contracts.instruction.v1 import ProjetQualifie
from instruction.mission.domain.commands import QualifierProjet
from instruction.mission.domain.decisions import lancement_de, ouverture_de
from instruction.mission.domain.errors import CopilInconnu, ProjetDejaQualifie
from instruction.mission.domain.mission import Mission


def qualifier(command: QualifierProjet, state: Mission) -> list[ProjetQualifie]:
    """Once the mission is launched (« IngenierieEnCours or later », until its close), at a COPIL that
    was held: `date_copil` is the date of a recorded ComitePilotageTenu. Once per project."""
    ouverture_de(state)
    projet = ProjetQualifie(**command.model_dump())
    deja = state.projets.get(command.projet_id)
    if deja == projet:
        return []
    if deja is not None:
        raise ProjetDejaQualifie(f"le projet {command.projet_id} est déjà qualifié, en d'autres termes")
    lancement_de(state)
    if not state.copil_tenu_le(command.date_copil):
        raise CopilInconnu(f"aucun COPIL local enregistré le {command.date_copil} pour ce territoire")
    return [projet]
