"""Why a command on a Dossier is impossible; each `reason` is a stable code.

A `NonHabilite` is a refusal of kind forbidden: the caller is not the one entitled to act on this dossier
(another territory, an expert not or no longer designated)."""

from __future__ import annotations

from collections.abc import Iterable

from kernel.decider import DomainError, Forbidden


class EtatIncompatible(DomainError):
    """The dossier is not in a phase where this step is allowed."""

    reason = "etat_incompatible"

    def __init__(self, action: str, phase: str, attendues: Iterable[str]) -> None:
        self.phase, self.attendues = phase, tuple(attendues)
        super().__init__(
            f"{action}: impossible en phase {phase} (phases attendues: {', '.join(self.attendues)})",
            details={"phase": phase, "phases_attendues": list(self.attendues)},
        )


class CandidatureInconnue(DomainError):
    """No CandidatureRecue: never deposited, or its deposit has not reached instruction yet."""

    reason = "candidature_inconnue"


class DejaDecidee(DomainError):
    """The Prime Minister already decided otherwise on this candidature."""

    reason = "deja_decidee"


class AvisSGPIRequis(DomainError):
    """The Prime Minister decides only after the SGPI's opinion [000]."""

    reason = "avis_sgpi_requis"


class DecisionAvantAvisSGPI(DomainError):
    reason = "decision_avant_avis_sgpi"


class NotificationAvantDecision(DomainError):
    reason = "notification_avant_decision"


class MotifRequis(DomainError):
    """A candidature that is not selected is told why."""

    reason = "motif_requis"


class CriteresManquants(DomainError):
    """The conclusions come after all 7 selection criteria were assessed."""

    reason = "criteres_manquants"


class ComplementsEnAttente(DomainError):
    """The conclusions wait for the answers to every open request for complements."""

    reason = "complements_en_attente"


class DemandeExistante(DomainError):
    """This request id is already used, with other terms."""

    reason = "demande_existante"


class DateLimitePassee(DomainError):
    reason = "date_limite_passee"


class DemandeInconnue(DomainError):
    reason = "demande_inconnue"


class ComplementsDejaFournis(DomainError):
    """The request was already answered, in other terms: it is closed."""

    reason = "complements_deja_fournis"


class ConfidentialiteNonAcceptee(DomainError):
    """An expert gets access only after acknowledging confidentiality (§7)."""

    reason = "confidentialite_non_acceptee"


class AccesDejaExpire(DomainError):
    reason = "acces_deja_expire"


class AvisDejaRendu(DomainError):
    """The expert already gave another opinion."""

    reason = "avis_deja_rendu"


class CooperationInvalide(DomainError):
    """The comité suggests cooperations with other candidatures, not with the candidature itself."""

    reason = "cooperation_invalide"


class NonHabilite(Forbidden):
    """The caller's role is allowed, but not on this dossier."""

    reason = "non_habilite"


class HorsPerimetre(NonHabilite):
    """The EPCI is not one of the candidature's."""

    reason = "hors_perimetre"


class ExpertNonDesigne(NonHabilite):
    reason = "expert_non_designe"


class AccesExpire(NonHabilite):
    """The expert's access to this dossier ended."""

    reason = "acces_expire"
