"""Decisions of the selection chain: reception of a deposited candidature, the Prime Minister's decision."""
from __future__ import annotations

from contracts.instruction.v1 import CandidatureNonRetenue, CandidatureRecue, TerritoireLaureat
from instruction.domain.commands import DeciderSelection, EnregistrerCandidature
from instruction.domain.dossier import DECIDEES, Decision, Dossier, Phase
from instruction.domain.errors import (
    CandidatureInconnue, DejaDecidee, MotifRequis, NotificationAvantDecision)


def enregistrer(command: EnregistrerCandidature, state: Dossier) -> list[CandidatureRecue]:
    """Idempotent: a redelivered (or repeated) deposit of a received candidature records nothing."""
    if state.phase is not Phase.AUCUNE:
        return []
    return [CandidatureRecue(**command.model_dump())]


def decider(command: DeciderSelection, state: Dossier) -> list[Decision]:
    """The decision once; the same decision again is [], a different one is refused."""
    if command.date_notification < command.date_decision:
        raise NotificationAvantDecision(
            f"notification du {command.date_notification} avant la décision du {command.date_decision}")
    if state.candidature is None:
        raise CandidatureInconnue(f"aucune candidature {command.candidature_id} reçue par l'instruction")
    decision = _decision(command, state.candidature)
    if state.decision == decision:
        return []
    if state.phase in DECIDEES:
        raise DejaDecidee(f"la candidature {command.candidature_id} a déjà fait l'objet d'une décision")
    return [decision]


def _decision(command: DeciderSelection, candidature: CandidatureRecue) -> Decision:
    dates = {"date_decision": command.date_decision, "date_notification": command.date_notification}
    if command.laureat:
        return TerritoireLaureat(
            territoire_id=candidature.candidature_id, candidature_id=candidature.candidature_id,
            vague=candidature.vague, nom_territoire=candidature.nom_territoire,
            region_code=candidature.region_code, epci_sirens=candidature.epci_sirens,
            enveloppe_cible_centimes=command.enveloppe_cible_centimes, **dates)
    if command.motif is None:
        raise MotifRequis("une candidature non retenue doit recevoir un motif")
    return CandidatureNonRetenue(
        candidature_id=candidature.candidature_id, vague=candidature.vague, motif=command.motif, **dates)
