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


class FondsInsuffisant(DomainError):
    """The State's shares of all envelopes would exceed the programme's 90 M€ fund."""

    reason = "fonds_insuffisant"


class IngenierieEpuisee(DomainError):
    """The engineering orders would exceed the programme's 10 M€."""

    reason = "ingenierie_epuisee"


class BonDejaEmis(DomainError):
    reason = "bon_deja_emis"


class ProjetNonInstruit(DomainError):
    """No favourable instruction by Bpifrance of this project's request: nothing may be granted."""

    reason = "projet_non_instruit"


class DecisionAvantInstruction(DomainError):
    reason = "decision_avant_instruction"


class CumulSuperieurPlafond(DomainError):
    """All aids of the project would exceed its base × the regime's maximum intensity, less other public aid."""

    reason = "cumul_superieur_plafond"


class AjustementSousEngagement(DomainError):
    """An envelope is never adjusted below what is committed out of it."""

    reason = "ajustement_sous_engagement"


class AideInconnue(DomainError):
    reason = "aide_inconnue"


class ConventionNonSignee(DomainError):
    reason = "convention_non_signee"


class VersementSuperieurAuxDepenses(DomainError):
    """Σ payments may not exceed the aid in proportion of the expenses justified (nor the aid itself)."""

    reason = "versement_superieur_aux_depenses"


class AideDejaSoldee(DomainError):
    reason = "aide_deja_soldee"


class AideNonSoldee(DomainError):
    reason = "aide_non_soldee"


class PasUneAvance(DomainError):
    """Only an avance remboursable is repaid."""

    reason = "pas_une_avance"


class EcheancierIncoherent(DomainError):
    reason = "echeancier_incoherent"


class RemboursementSuperieurAuDu(DomainError):
    reason = "remboursement_superieur_au_du"


class EcheanceNonEchue(DomainError):
    reason = "echeance_non_echue"


class DateAnterieure(DomainError):
    """A money fact cannot precede the decision it follows."""

    reason = "date_anterieure"
