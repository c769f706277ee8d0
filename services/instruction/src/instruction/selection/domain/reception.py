"""What instruction learns from the candidature service (deposit, withdrawal, relève) and every read."""

from __future__ import annotations

from contracts.instruction.v1 import CandidatureRecue, CauseCloture, DossierClos, DossierConsulte, DossierReleve
from instruction.selection.domain.commands import (
    CloreDossier,
    ConsignerConsultation,
    EnregistrerCandidature,
    ReleverDossier,
)
from instruction.selection.domain.dossier import FINALES, Dossier, Phase
from instruction.selection.domain.errors import CandidatureInconnue


def enregistrer(command: EnregistrerCandidature, state: Dossier) -> list[CandidatureRecue]:
    """Idempotent: a redelivered (or repeated) deposit of a received candidature records nothing."""
    if state.candidature is not None:
        return []
    return [CandidatureRecue(**command.model_dump())]


def relever(command: ReleverDossier, state: Dossier) -> list[DossierReleve]:
    """Once; a withdrawn dossier stays closed. It may come before the deposit: their streams differ."""
    if state.releve is not None or state.phase is Phase.CLOS:
        return []
    return [DossierReleve(**command.model_dump())]


def clore(command: CloreDossier, state: Dossier) -> list[DossierClos]:
    """A withdrawal closes a dossier not yet settled; a settled (or unknown) one is left as it is."""
    if state.phase is Phase.AUCUNE or state.phase in FINALES:
        return []
    return [DossierClos(cause=CauseCloture.CANDIDATURE_RETIREE, **command.model_dump())]


def consigner(command: ConsignerConsultation, state: Dossier) -> list[DossierConsulte]:
    """Every read is a new fact (never deduplicated)."""
    if state.phase is Phase.AUCUNE:
        raise CandidatureInconnue(f"aucun dossier pour la candidature {command.candidature_id}")
    return [
        DossierConsulte(
            candidature_id=command.candidature_id,
            consulte_par=command.consulte_par,
            role=command.role,
            vue=command.vue,
            consulte_le=command.consulte_le,
        )
    ]
