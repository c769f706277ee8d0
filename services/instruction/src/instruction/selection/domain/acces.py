"""Who may read what of a dossier (DOMAIN-REFERENCE §7): the file holds expert opinions and the
selection's deliberations, so only the national roles see it whole; a designated expert sees the
candidature with its own designation and opinion while its access lasts; the candidate territory
sees its status, the requests it must answer and the decisions, never the opinions."""

from __future__ import annotations

from datetime import date

from contracts.base import Role
from contracts.envelope import Actor
from contracts.instruction.v1 import VueDossier
from instruction.selection.domain.dossier import Dossier, Phase
from instruction.selection.domain.errors import AccesExpire, ExpertNonDesigne, HorsPerimetre, NonHabilite

NATIONAUX = frozenset({Role.INSTRUCTEUR_CDC, Role.DTI_ANCT, Role.COMITE_MINISTERIEL, Role.SGPI, Role.PM_CABINET})
INSTRUCTEURS = (Role.INSTRUCTEUR_CDC, Role.DTI_ANCT)
LECTEURS = (*sorted(NATIONAUX), Role.EXPERT_EXTERNE, Role.EPCI_CANDIDAT)

# What the territory is told of its dossier's phase: the proposal and the opinions stay internal.
STATUT_TERRITOIRE = {
    Phase.PROPOSEE: "EN_SELECTION",
    Phase.NON_PROPOSEE: "EN_SELECTION",
    Phase.AVIS_COMITE: "EN_SELECTION",
    Phase.AVIS_SGPI: "EN_SELECTION",
}


def vue_autorisee(dossier: Dossier, actor: Actor, jour: date) -> VueDossier:
    """The view `actor` may have of `dossier` on `jour`; NonHabilite (403) when none."""
    if actor.role in NATIONAUX:
        return VueDossier.COMPLETE
    if actor.role is Role.EXPERT_EXTERNE:
        expertise = dossier.experts.get(actor.id)
        if expertise is None:
            raise ExpertNonDesigne(f"l'expert {actor.id} n'est pas désigné sur ce dossier")
        if jour > expertise.designation.acces_jusqu_au:
            raise AccesExpire(f"accès au dossier terminé le {expertise.designation.acces_jusqu_au}")
        return VueDossier.EXPERT
    if actor.role is Role.EPCI_CANDIDAT:
        if dossier.candidature is None or (actor.scope or "").replace(" ", "") not in dossier.candidature.epci_sirens:
            raise HorsPerimetre(f"l'EPCI {actor.scope} ne porte pas cette candidature")
        return VueDossier.TERRITOIRE
    raise NonHabilite(f"le rôle {actor.role.value} ne consulte pas les dossiers de candidature")


def statut_territoire(phase: Phase) -> str:
    return STATUT_TERRITOIRE.get(phase, phase.value)
