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


class CumulSuperieurAssiette(DomainError):
    """The aids of one project together may not exceed its expense base (the assiette)."""

    reason = "cumul_superieur_assiette"


class EnveloppeSuperieureAuFonds(DomainError):
    """No territory envelope can exceed the whole fund (90 M€ [002])."""

    reason = "enveloppe_superieure_au_fonds"


class AideDejaAccordee(DomainError):
    """The aid id is already granted on other terms: an id names one grant, never two."""

    reason = "aide_deja_accordee"
