"""Experts the instruction consults [000]: a per-dossier, time-boxed designation after a confidentiality
acknowledgement (§7), and the opinion of the designated expert only."""

from __future__ import annotations

from contracts.instruction.v1 import AvisExpertRecu, ExpertDesigne
from instruction.selection.domain.commands import DesignerExpert, RendreAvisExpert
from instruction.selection.domain.dossier import Dossier, Phase
from instruction.selection.domain.errors import (
    AccesDejaExpire,
    AccesExpire,
    AvisDejaRendu,
    ConfidentialiteNonAcceptee,
    ExpertNonDesigne,
)
from instruction.selection.domain.regles import exiger, meme_fait


def designer(command: DesignerExpert, state: Dossier) -> list[ExpertDesigne]:
    """A new designation of the same expert (e.g. a longer access) replaces the previous one."""
    expertise = state.experts.get(command.expert_id)
    acceptee_le = command.confidentialite_acceptee_le
    if expertise is not None and acceptee_le is not None:
        designation = ExpertDesigne(**command.model_dump(exclude={"le"}))
        if meme_fait(designation, expertise.designation):
            return []
    exiger(state, "désigner un expert", Phase.EN_INSTRUCTION)
    if acceptee_le is None or acceptee_le > command.le:
        raise ConfidentialiteNonAcceptee(
            f"l'expert {command.expert_id} doit avoir accepté la confidentialité avant d'accéder au dossier"
        )
    if command.acces_jusqu_au < command.le:
        raise AccesDejaExpire(f"accès jusqu'au {command.acces_jusqu_au}, antérieur au {command.le}")
    return [ExpertDesigne(**command.model_dump(exclude={"le"}))]


def rendre_avis(command: RendreAvisExpert, state: Dossier) -> list[AvisExpertRecu]:
    """By the designated expert, while their access lasts, once."""
    expertise = state.experts.get(command.expert_id)
    if expertise is None:
        raise ExpertNonDesigne(f"l'expert {command.expert_id} n'est pas désigné sur ce dossier")
    avis = AvisExpertRecu(
        candidature_id=command.candidature_id,
        expert_id=command.expert_id,
        domaine=expertise.designation.domaine,
        avis=command.avis,
        rendu_le=command.le,
    )
    if meme_fait(avis, expertise.avis, "rendu_le"):
        return []
    if command.le > expertise.designation.acces_jusqu_au:
        raise AccesExpire(
            f"l'accès de l'expert {command.expert_id} a pris fin le {expertise.designation.acces_jusqu_au}"
        )
    exiger(state, "rendre un avis d'expert", Phase.EN_INSTRUCTION)
    if expertise.avis is not None:
        raise AvisDejaRendu(f"l'expert {command.expert_id} a déjà rendu son avis")
    return [avis]
