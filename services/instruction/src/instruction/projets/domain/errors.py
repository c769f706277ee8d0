"""Why a command on a project or on the census is impossible; each `reason` is a stable code."""

from __future__ import annotations

from kernel.decider import DomainError, NotFound


class ProjetInconnu(NotFound):
    """No such project in this territory's census (or hidden from the caller: the same answer)."""

    reason = "projet_inconnu"


class MissionNonLancee(DomainError):
    """The census and the qualifications happen once the engineering mission is launched [000]."""

    reason = "mission_non_lancee"


class MissionCloturee(DomainError):
    reason = "mission_cloturee"


class DateAvantLancement(DomainError):
    reason = "date_avant_lancement"


class DateAvantRecensement(DomainError):
    """A fact about a project cannot precede the project's census."""

    reason = "date_avant_recensement"


class ProjetDejaRecense(DomainError):
    """This projet_id is already in a census, with other terms (or in another territory's)."""

    reason = "projet_deja_recense"


class EntretienDejaEnregistre(DomainError):
    reason = "entretien_deja_enregistre"


class ProjetClos(DomainError):
    """The project was oriented to another scheme or abandoned: nothing more happens to it in Rebond."""

    reason = "projet_clos"


class ProjetEngage(DomainError):
    """An aid request is deposited: the project can no longer go to another scheme (it can be abandoned)."""

    reason = "projet_engage"


class CopilInconnu(DomainError):
    reason = "copil_inconnu"


class CopilIncomplet(DomainError):
    """The COPIL lacked one of the bodies the AMI requires « a minima » [000]: it cannot qualify."""

    reason = "copil_incomplet"


class ProjetDejaQualifie(DomainError):
    reason = "projet_deja_qualifie"


class ProjetNonQualifie(DomainError):
    """Only a project the COPIL qualified is invited to apply to Bpifrance [000]."""

    reason = "projet_non_qualifie"


class DemandeEnCours(DomainError):
    """Another aid request of this project is deposited or instructed."""

    reason = "demande_en_cours"


class DemandeInconnue(DomainError):
    reason = "demande_inconnue"


class DemandeDejaInstruite(DomainError):
    reason = "demande_deja_instruite"


class InstructionAvantDepot(DomainError):
    reason = "instruction_avant_depot"


class InstructionDefavorable(DomainError):
    """Bpifrance's instruction found the request outside the rules (recorded; `regles` names them)."""

    reason = "instruction_defavorable"
