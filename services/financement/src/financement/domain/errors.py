"""Impossible requests on an envelope, each with a stable `reason` code (HTTP 409)."""

from __future__ import annotations

from kernel.decider import DomainError


class TerritoireNonLaureat(DomainError):
    reason = "territoire_non_laureat"


class ContributionsIncoherentes(DomainError):
    reason = "contributions_incoherentes"


class EnveloppeDejaAttribuee(DomainError):
    reason = "enveloppe_deja_attribuee"


class EnveloppeNonAttribuee(DomainError):
    reason = "enveloppe_non_attribuee"


class ProjetNonQualifie(DomainError):
    reason = "projet_non_qualifie"


class MontantSuperieurAssiette(DomainError):
    reason = "montant_superieur_assiette"


class AideDejaAccordee(DomainError):
    """The aid id is already granted on other terms: an id names one grant, never two."""

    reason = "aide_deja_accordee"
