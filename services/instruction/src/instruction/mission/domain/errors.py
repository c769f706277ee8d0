"""Why a command on a Mission is impossible; each `reason` is a stable code (HTTP 409)."""

from __future__ import annotations

from kernel.decider import DomainError


class MissionInconnue(DomainError):
    """No MissionOuverte: the territory is not a laureate, or its decision has not reached the mission yet."""

    reason = "mission_inconnue"


class MissionDejaOuverte(DomainError):
    """A laureate decision with other terms opened this mission already."""

    reason = "mission_deja_ouverte"


class SignatureAvantNotification(DomainError):
    reason = "signature_avant_notification"


class ConventionDejaSignee(DomainError):
    reason = "convention_deja_signee"


class ConventionNonSignee(DomainError):
    """The engineering is ordered under the convention: it cannot start before it is signed."""

    reason = "convention_non_signee"


class LancementAvantConvention(DomainError):
    reason = "lancement_avant_convention"


class DureeMissionHorsBornes(DomainError):
    """The engineering mission lasts 3 to 4 months [000]."""

    reason = "duree_mission_hors_bornes"


class MissionDejaLancee(DomainError):
    reason = "mission_deja_lancee"


class MissionNonLancee(DomainError):
    """COPIL meetings, qualifications and the feuille de route belong to a launched mission."""

    reason = "mission_non_lancee"


class MissionCloturee(DomainError):
    reason = "mission_cloturee"


class MissionDejaRestituee(DomainError):
    reason = "mission_deja_restituee"


class CopilAvantLancement(DomainError):
    reason = "copil_avant_lancement"


class CopilDejaTenu(DomainError):
    """This copil_id is already recorded, with other terms."""

    reason = "copil_deja_tenu"


class FeuilleDeRouteDejaRestituee(DomainError):
    reason = "feuille_de_route_deja_restituee"


class FeuilleDeRouteManquante(DomainError):
    """The restitution presents the feuille de route: it must have been delivered."""

    reason = "feuille_de_route_manquante"


class RestitutionAvantLancement(DomainError):
    reason = "restitution_avant_lancement"


class MissionNonRestituee(DomainError):
    reason = "mission_non_restituee"


class ClotureAvantRestitution(DomainError):
    reason = "cloture_avant_restitution"


class MissionDejaCloturee(DomainError):
    reason = "mission_deja_cloturee"
