"""Why a command on a Dossier is impossible; each `reason` is a stable code (HTTP 409)."""
from __future__ import annotations

from kernel.decider import DomainError


class CandidatureInconnue(DomainError):
    """No CandidatureRecue: never deposited, or its deposit has not reached instruction yet."""

    reason = "candidature_inconnue"


class DejaDecidee(DomainError):
    """The Prime Minister already decided otherwise on this candidature."""

    reason = "deja_decidee"


class NotificationAvantDecision(DomainError):
    reason = "notification_avant_decision"


class MotifRequis(DomainError):
    """A candidature that is not selected is told why."""

    reason = "motif_requis"


class TerritoireNonLaureat(DomainError):
    reason = "territoire_non_laureat"


class CopilAvantDecision(DomainError):
    """A COPIL local only exists once the territory is a laureate."""

    reason = "copil_avant_decision"


class ProjetDejaQualifie(DomainError):
    """The project was already qualified with other terms."""

    reason = "projet_deja_qualifie"
