"""After the CDC's conclusions: the comité ministériel's opinion, the SGPI's opinion, then the Prime
Minister's decision [000] (« valide la sélection des territoires lauréats après avis du SGPI »)."""

from __future__ import annotations

from contracts.instruction.v1 import AvisComiteRendu, AvisSGPIRendu, CandidatureNonRetenue, TerritoireLaureat
from instruction.selection.domain.commands import DeciderSelection, RendreAvisComite, RendreAvisSGPI
from instruction.selection.domain.dossier import CONCLUES, DECIDEES, Decision, Dossier, Phase
from instruction.selection.domain.errors import (
    AvisSGPIRequis,
    CandidatureInconnue,
    CooperationInvalide,
    DecisionAvantAvisSGPI,
    DejaDecidee,
    MotifRequis,
    NotificationAvantDecision,
)
from instruction.selection.domain.regles import exiger, meme_fait

AVANT_AVIS_SGPI = frozenset(
    {Phase.RECUE, Phase.RELEVEE, Phase.RECEVABLE, Phase.EN_INSTRUCTION, *CONCLUES, Phase.AVIS_COMITE}
)


def avis_comite(command: RendreAvisComite, state: Dossier) -> list[AvisComiteRendu]:
    """On the CDC's conclusions, whether proposed or not; it may suggest cooperations with other candidatures."""
    avis = AvisComiteRendu(**command.model_dump(exclude={"le"}), rendu_le=command.le)
    if meme_fait(avis, state.avis_comite, "rendu_le"):
        return []
    exiger(state, "rendre l'avis du comité", *CONCLUES)
    if command.candidature_id in command.cooperations_suggerees:
        raise CooperationInvalide("une coopération se suggère avec d'autres candidatures que celle-ci")
    return [avis]


def avis_sgpi(command: RendreAvisSGPI, state: Dossier) -> list[AvisSGPIRendu]:
    avis = AvisSGPIRendu(**command.model_dump(exclude={"le"}), rendu_le=command.le)
    if meme_fait(avis, state.avis_sgpi, "rendu_le"):
        return []
    exiger(state, "rendre l'avis du SGPI", Phase.AVIS_COMITE)
    return [avis]


def decider(command: DeciderSelection, state: Dossier) -> list[Decision]:
    """The decision once, after the SGPI's opinion; the same decision again is [], another is refused."""
    if command.date_notification < command.date_decision:
        raise NotificationAvantDecision(
            f"notification du {command.date_notification} avant la décision du {command.date_decision}"
        )
    if state.candidature is None:
        raise CandidatureInconnue(f"aucune candidature {command.candidature_id} reçue par l'instruction")
    decision = _decision(command, state)
    if state.decision == decision:
        return []
    if state.phase in DECIDEES:
        raise DejaDecidee(f"la candidature {command.candidature_id} a déjà fait l'objet d'une décision")
    if state.phase in AVANT_AVIS_SGPI:
        raise AvisSGPIRequis(f"phase {state.phase.value}: le Premier ministre décide après l'avis du SGPI")
    exiger(state, "décider de la sélection", Phase.AVIS_SGPI)
    assert state.avis_sgpi is not None
    if command.date_decision < state.avis_sgpi.rendu_le:
        raise DecisionAvantAvisSGPI(
            f"décision du {command.date_decision} antérieure à l'avis du SGPI du {state.avis_sgpi.rendu_le}"
        )
    return [decision]


def _decision(command: DeciderSelection, state: Dossier) -> Decision:
    candidature = state.candidature
    assert candidature is not None
    dates = {"date_decision": command.date_decision, "date_notification": command.date_notification}
    if command.laureat:
        return TerritoireLaureat(
            territoire_id=candidature.candidature_id,
            candidature_id=candidature.candidature_id,
            vague=candidature.vague,
            nom_territoire=candidature.nom_territoire,
            region_code=candidature.region_code,
            epci_sirens=candidature.epci_sirens,
            enveloppe_cible_centimes=command.enveloppe_cible_centimes,
            **dates,
        )
    if command.motif is None:
        raise MotifRequis("une candidature non retenue doit recevoir un motif")
    return CandidatureNonRetenue(
        candidature_id=candidature.candidature_id, vague=candidature.vague, motif=command.motif, **dates
    )
